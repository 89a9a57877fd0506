package scan

import (
	"archive/tar"
	"fmt"
	"io"
	"path"
)

// tar scans every regular member of a tar stream. PyTorch's legacy tar
// format (members sys_info, pickle, storages, tensors) is named as such.
func (s *scanner) tar(member string, r io.Reader, depth int) string {
	if depth >= s.lim.MaxDepth {
		s.tooDeep(member, "tar")
		return "tar"
	}
	tr := tar.NewReader(r)
	names := map[string]bool{}
	for {
		if err := s.ctx.Err(); err != nil {
			s.fail(member, "tar", err)
			break
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.fail(member, "tar", fmt.Errorf("tar: %w", err))
			break
		}
		names[path.Base(h.Name)] = true
		if !s.countMember(member, "tar") {
			break
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		s.scanStream(child(member, h.Name), path.Base(h.Name), tr, h.Size, depth+1)
	}
	if names["pickle"] && names["sys_info"] {
		return "pytorch-tar"
	}
	return "tar"
}
