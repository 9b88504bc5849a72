package containers

import "testing"

// BenchmarkIdentify identifies a Kubernetes pod's process of the fixture
// tree, named from the kubelet's log directories: what naming one
// namespace costs.
func BenchmarkIdentify(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if id := Identify("testdata/proc", "testdata/host", 120); id.PodName == "" {
			b.Fatal("not named")
		}
	}
}

// BenchmarkParseCgroup parses a cgroup v1 file of twelve hierarchies.
func BenchmarkParseCgroup(b *testing.B) {
	data := []byte("12:rdma:/\n11:hugetlb:/kubepods.slice/kubepods-pod0eed347b_c70a_3da1_24fd_3743fe9fe0f8.slice/cri-containerd-4e367f78eaf4f16997334692e59f703955ebbb6321340b0b019522272c5a1e54.scope\n0::/\n")
	b.ReportAllocs()
	for b.Loop() {
		ParseCgroup(data)
	}
}
