// Package static embeds Qlib Pro's CSS, JavaScript and vendored libraries and
// serves them under content-hashed URLs so browsers may cache them for a year.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed css js vendor
var files embed.FS

// Assets maps file names to versioned URLs and serves them.
type Assets struct {
	prefix string
	hashes map[string]string // name → short content hash
}

// New hashes every embedded file. prefix is the URL path the handler is mounted at, e.g. "/static".
func New(prefix string) (*Assets, error) {
	a := &Assets{prefix: strings.TrimSuffix(prefix, "/"), hashes: map[string]string{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[p] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return a, err
}

// URL returns the versioned URL of name ("css/app.css"); an unknown name gets an
// unversioned URL, which a test on the rendered pages would catch as a 404.
func (a *Assets) URL(name string) string {
	if h, ok := a.hashes[name]; ok {
		return a.prefix + "/" + h + "/" + name
	}
	return a.prefix + "/0/" + name
}

// ServeHTTP serves "/{hash}/{name}" relative to the prefix. A current hash is
// cached for a year as immutable; a stale hash still gets the file, cached
// briefly, so pages rendered before a deploy keep working.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, a.prefix), "/")
	hash, name, ok := strings.Cut(rest, "/")
	name = path.Clean(name)
	want, known := a.hashes[name]
	if !ok || !known {
		http.NotFound(w, r)
		return
	}
	b, err := files.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if hash == want {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=60")
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("ETag", `"`+want+`"`)
	if r.Header.Get("If-None-Match") == `"`+want+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(b) // #nosec G705 -- embedded static files, not request data
}
