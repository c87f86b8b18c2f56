package ftpd_test

import (
	"context"
	"fmt"
	"os"

	"github.com/ferryhq/ferry/demo/ftpd"
)

// A server for explicit FTPS over a temporary directory, as `ferry --demo`
// runs one. Clients trust the returned pool.
func ExampleStart() {
	root, err := os.MkdirTemp("", "ftpd-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(root)
	cfg, _, err := ftpd.SelfSignedTLS()
	if err != nil {
		panic(err)
	}
	srv, err := ftpd.Start(context.Background(), ftpd.Options{
		Root:            root,
		Users:           map[string]string{"demo": "demo"},
		TLS:             cfg,
		RequireTLSReuse: true,
	})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	fmt.Println(srv.Addr() != "")
	// Output: true
}
