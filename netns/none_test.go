package netns

import (
	"strings"
	"testing"
)

func TestSkipsNoneSeen(t *testing.T) {
	a := Namespace{ID: "net:[1]", Inode: 1, Identity: Identity{Kind: KindNamed, Name: "a"}}
	b := Namespace{ID: "net:[2]", Inode: 2, Identity: Identity{Kind: KindNamed, Name: "b"}}
	var none Skips
	if err := none.NoneSeen(); err != nil {
		t.Errorf("nothing counted: %v, want nil", err)
	}
	var one Skips
	one.Add(a, SkippedGone)
	if err := one.NoneSeen(); err == nil || err.Error() != "network namespace a (net:[1]) was not audited: "+SkippedGone {
		t.Errorf("one skipped: %v", err)
	}
	var many Skips
	many.Add(a, SkippedGone)
	many.Add(b, SkippedGone)
	many.Add(b, SkippedDenied)
	err := many.NoneSeen()
	if err == nil || !strings.HasPrefix(err.Error(), "none of the 3 network namespaces was audited: 2 gone: their processes exited") || !strings.Contains(err.Error(), "1 permission denied entering it") {
		t.Errorf("three skipped: %v", err)
	}
	many.Add(a, "")
	if err := many.NoneSeen(); err != nil {
		t.Errorf("one audited: %v, want nil", err)
	}
}
