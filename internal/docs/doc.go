// Package docs holds the tests of the repository's Markdown documentation,
// README.md and docs/*.md: they parse as CommonMark with GitHub's table
// extension, every relative link reaches an existing file or heading, and
// the rule reference covers the whole catalog, and every citation of
// docs/kernel-facts.md or docs/sysctl-d-format.md names a section that exists.
package docs
