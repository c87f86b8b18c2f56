package transfer

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkManySmallFiles copies a tree of 500 files of 1–16 KiB, local to
// local, the engine's per-file overhead laid bare.
func BenchmarkManySmallFiles(b *testing.B) {
	dir := b.TempDir()
	r := rand.New(rand.NewPCG(11, 11))
	tree := filepath.Join(dir, "tree")
	var total int64
	for i := range 500 {
		p := filepath.Join(tree, strconv.Itoa(i%10), strconv.Itoa(i%3), strconv.Itoa(i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		data := make([]byte, 1024+r.IntN(15*1024))
		total += int64(len(data))
		os.WriteFile(p, data, 0o644)
	}
	ep := localEP(nil)
	b.SetBytes(total)
	b.ResetTimer()
	for i := range b.N {
		q, err := New(Options{Conflict: PolicyOverwrite})
		if err != nil {
			b.Fatal(err)
		}
		q.Add(Spec{Src: ep, SrcPath: slash(tree), Dst: ep, DstPath: slash(filepath.Join(dir, "out"+strconv.Itoa(i))), Dir: true})
		if err := q.Wait(b.Context()); err != nil {
			b.Fatal(err)
		}
		if ji := q.Jobs()[0]; ji.State != StateDone || ji.FilesDone != 500 {
			b.Fatalf("state %s, %d files", ji.State, ji.FilesDone)
		}
		q.Close()
	}
	b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkSFTPDownload downloads a 32 MiB file from the in-process SFTP
// server over loopback, in one stream and over four segments.
func BenchmarkSFTPDownload(b *testing.B) {
	for _, segs := range []int{1, 4} {
		b.Run("segments="+strconv.Itoa(segs), func(b *testing.B) {
			srv, local := b.TempDir(), b.TempDir()
			const size = 32 << 20
			data := make([]byte, size)
			for i := range data {
				data[i] = byte(i * 7 >> 3)
			}
			os.WriteFile(filepath.Join(srv, "big"), data, 0o644)
			ep, _ := sftpEndpoint(b, srv, 0, 1, 1)
			b.SetBytes(size)
			b.ResetTimer()
			for i := range b.N {
				q, err := New(Options{Conflict: PolicyOverwrite})
				if err != nil {
					b.Fatal(err)
				}
				q.Add(Spec{Src: ep, SrcPath: "/big", Dst: localEP(nil), DstPath: slash(filepath.Join(local, "big"+strconv.Itoa(i))), Options: JobOptions{Segments: segs}})
				if err := q.Wait(b.Context()); err != nil {
					b.Fatal(err)
				}
				if ji := q.Jobs()[0]; ji.State != StateDone {
					b.Fatalf("state %s: %v", ji.State, ji.Err)
				}
				q.Close()
			}
		})
	}
}
