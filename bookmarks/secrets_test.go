package bookmarks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zalando/go-keyring"
)

// cheapKDF keeps tests fast; the format and code path are the same.
var cheapKDF = KDFParams{Time: 1, Memory: 1024, Threads: 1}

func TestSecretFile(t *testing.T) {
	p := testPaths(t)
	var asked atomic.Int32
	master := "correct horse"
	ask := func(_ context.Context, create bool) (string, error) {
		asked.Add(1)
		return master, nil
	}
	f := NewSecretFile(p.SecretsFile(), ask, cheapKDF)
	ctx := t.Context()
	if _, err := f.Get(ctx, "prod", KindPassword); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("Get on no file: %v, want ErrNoSecret", err)
	}
	secrets := []string{"pw-one-7f3a", "passphrase-two-9c1e"}
	if err := f.Set(ctx, "prod", KindPassword, secrets[0]); err != nil {
		t.Fatal(err)
	}
	if err := f.Set(ctx, "prod", KindPassphrase, secrets[1]); err != nil {
		t.Fatal(err)
	}
	if got, err := f.Get(ctx, "prod", KindPassword); err != nil || got != secrets[0] {
		t.Errorf("Get = %q, %v", got, err)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("master password asked %d times, want once per process", n)
	}
	fi, err := os.Stat(p.SecretsFile())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets file mode %v, want 0600", fi.Mode().Perm())
	}
	assertNoSecretsUnder(t, p.ConfigDir, append(secrets, master, "prod"))

	t.Run("another process with the same password reads it", func(t *testing.T) {
		g := NewSecretFile(p.SecretsFile(), ask, DefaultKDF)
		if got, err := g.Get(ctx, "prod", KindPassphrase); err != nil || got != secrets[1] {
			t.Errorf("Get = %q, %v", got, err)
		}
	})
	t.Run("a wrong master password is refused and changes nothing", func(t *testing.T) {
		before, _ := os.ReadFile(p.SecretsFile())
		g := NewSecretFile(p.SecretsFile(), func(context.Context, bool) (string, error) { return "wrong", nil }, cheapKDF)
		if _, err := g.Get(ctx, "prod", KindPassword); !errors.Is(err, ErrMasterPassword) {
			t.Errorf("Get: %v, want ErrMasterPassword", err)
		}
		if err := g.Set(ctx, "x", KindPassword, "y"); !errors.Is(err, ErrMasterPassword) {
			t.Errorf("Set: %v, want ErrMasterPassword", err)
		}
		if after, _ := os.ReadFile(p.SecretsFile()); string(after) != string(before) {
			t.Error("the file changed under a wrong password")
		}
	})
	t.Run("delete forgets", func(t *testing.T) {
		if err := f.Delete(ctx, "prod", KindPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Get(ctx, "prod", KindPassword); !errors.Is(err, ErrNoSecret) {
			t.Errorf("after delete: %v, want ErrNoSecret", err)
		}
	})
	t.Run("a damaged file is an error, not an empty store", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "s.enc")
		os.WriteFile(path, []byte(`{"version":1}`), 0o600)
		g := NewSecretFile(path, ask, cheapKDF)
		if _, err := g.Get(ctx, "a", KindPassword); err == nil || errors.Is(err, ErrNoSecret) {
			t.Errorf("Get: %v, want a damage error", err)
		}
		if err := g.Set(ctx, "a", KindPassword, "b"); err == nil {
			t.Error("Set overwrote a damaged file")
		}
	})
}

func TestMoveAndDeleteSecrets(t *testing.T) {
	sec := &MemSecrets{}
	ctx := t.Context()
	sec.Set(ctx, "old", KindPassword, "a")
	sec.Set(ctx, "old", KindPassphrase, "b")
	if err := MoveSecrets(ctx, sec, "old", "new"); err != nil {
		t.Fatal(err)
	}
	if v, _ := sec.Get(ctx, "new", KindPassphrase); v != "b" {
		t.Errorf("passphrase did not move: %q", v)
	}
	if _, err := sec.Get(ctx, "old", KindPassword); !errors.Is(err, ErrNoSecret) {
		t.Errorf("old password still there: %v", err)
	}
	if err := DeleteSecrets(ctx, sec, "new"); err != nil || sec.Len() != 0 {
		t.Errorf("DeleteSecrets left %d: %v", sec.Len(), err)
	}
}

func TestAskSecretsStoresNothing(t *testing.T) {
	var a AskSecrets
	if err := a.Set(t.Context(), "x", KindPassword, "y"); !errors.Is(err, ErrNoSecretStore) {
		t.Errorf("Set: %v", err)
	}
	if _, err := a.Get(t.Context(), "x", KindPassword); !errors.Is(err, ErrNoSecret) {
		t.Errorf("Get: %v", err)
	}
}

// TestKeyringAdapter checks the mapping onto go-keyring with its mock
// provider (the real one needs a desktop session).
func TestKeyringAdapter(t *testing.T) {
	keyring.MockInit()
	k := Keyring{Service: "ferry-test"}
	ctx := t.Context()
	if !k.Available(ctx) {
		t.Fatal("the mock keyring is not available")
	}
	if _, err := k.Get(ctx, "s", KindPassword); !errors.Is(err, ErrNoSecret) {
		t.Errorf("Get missing: %v, want ErrNoSecret", err)
	}
	if err := k.Set(ctx, "s", KindPassword, "pw"); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get(ctx, "s", KindPassword); v != "pw" || err != nil {
		t.Errorf("Get = %q, %v", v, err)
	}
	if err := k.Delete(ctx, "s", KindPassword); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(ctx, "s", KindPassword); err != nil {
		t.Errorf("deleting a missing secret: %v", err)
	}
	keyring.MockInitWithError(errors.New("no dbus"))
	if k.Available(ctx) {
		t.Error("a failing keyring reports itself available")
	}
	if err := k.Set(ctx, "s", KindPassword, "pw"); err == nil || strings.Contains(err.Error(), "pw\"") {
		t.Errorf("Set on a failing keyring: %v", err)
	}
}
