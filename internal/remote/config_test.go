package remote

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

func validConfig() Config {
	return Config{
		Listen:   ":8443",
		Hosts:    []string{"phone.example.com"},
		CacheDir: filepath.Join(os.TempDir(), "wpservice-acme"),
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   []error // nil: valid
	}{
		{"valid", func(*Config) {}, nil},
		{"valid, every field", func(c *Config) {
			c.Listen = "203.0.113.5:443"
			c.Hosts = []string{"a.example.com", "b.example.org"}
			c.Email = "ops@example.com"
			c.HTTPChallenge = ":80"
			c.DirectoryURL = "https://acme-staging-v02.api.letsencrypt.org/directory"
		}, nil},
		{"IPv6 listen", func(c *Config) { c.Listen = "[2001:db8::1]:443" }, nil},
		{"loopback test CA over http", func(c *Config) { c.DirectoryURL = "http://127.0.0.1:14000/dir" }, nil},

		{"no hosts", func(c *Config) { c.Hosts = nil }, []error{ErrNoHosts}},
		{"empty host", func(c *Config) { c.Hosts = []string{""} }, []error{ErrHostSyntax}},
		{"IPv4 host", func(c *Config) { c.Hosts = []string{"203.0.113.5"} }, []error{ErrHostIP}},
		{"loopback IP host", func(c *Config) { c.Hosts = []string{"127.0.0.1"} }, []error{ErrHostIP}},
		{"IPv6 host", func(c *Config) { c.Hosts = []string{"::1"} }, []error{ErrHostIP}},
		{"bracketed IPv6 host", func(c *Config) { c.Hosts = []string{"[2001:db8::1]"} }, []error{ErrHostIP}},
		{"short IPv4 form", func(c *Config) { c.Hosts = []string{"127.1"} }, []error{ErrHostIP}},
		{"hex IPv4 form", func(c *Config) { c.Hosts = []string{"0x7f.0x1"} }, []error{ErrHostIP}},
		{"localhost", func(c *Config) { c.Hosts = []string{"localhost"} }, []error{ErrHostLoopback}},
		{"LOCALHOST", func(c *Config) { c.Hosts = []string{"LocalHost"} }, []error{ErrHostLoopback}},
		{"under .localhost", func(c *Config) { c.Hosts = []string{"phone.localhost"} }, []error{ErrHostLoopback}},
		{"wildcard", func(c *Config) { c.Hosts = []string{"*.example.com"} }, []error{ErrHostWildcard}},
		{"inner wildcard", func(c *Config) { c.Hosts = []string{"a.*.example.com"} }, []error{ErrHostWildcard}},
		{"trailing dot", func(c *Config) { c.Hosts = []string{"phone.example.com."} }, []error{ErrHostSyntax}},
		{"leading dot", func(c *Config) { c.Hosts = []string{".example.com"} }, []error{ErrHostSyntax}},
		{"double dot", func(c *Config) { c.Hosts = []string{"phone..example.com"} }, []error{ErrHostSyntax}},
		{"with port", func(c *Config) { c.Hosts = []string{"phone.example.com:443"} }, []error{ErrHostSyntax}},
		{"URL", func(c *Config) { c.Hosts = []string{"https://phone.example.com"} }, []error{ErrHostSyntax}},
		{"space", func(c *Config) { c.Hosts = []string{" phone.example.com"} }, []error{ErrHostSyntax}},
		{"underscore", func(c *Config) { c.Hosts = []string{"my_phone.example.com"} }, []error{ErrHostSyntax}},
		{"hyphen edge", func(c *Config) { c.Hosts = []string{"-phone.example.com"} }, []error{ErrHostSyntax}},
		{"label too long", func(c *Config) { c.Hosts = []string{string(make64('a')) + ".example.com"} }, []error{ErrHostSyntax}},
		{"non-ASCII", func(c *Config) { c.Hosts = []string{"téléphone.example.com"} }, []error{ErrHostSyntax}},
		{"Kelvin sign", func(c *Config) { c.Hosts = []string{"\u212aphone.example.com"} }, []error{ErrHostSyntax}},
		{"bad punycode", func(c *Config) { c.Hosts = []string{"xn--zz.example.com"} }, []error{ErrHostSyntax}},
		{"single label", func(c *Config) { c.Hosts = []string{"phone"} }, []error{ErrHostNotPublic}},
		{".local", func(c *Config) { c.Hosts = []string{"phone.local"} }, []error{ErrHostNotPublic}},
		{".internal", func(c *Config) { c.Hosts = []string{"pbx.corp.internal"} }, []error{ErrHostNotPublic}},
		{".home.arpa", func(c *Config) { c.Hosts = []string{"phone.home.arpa"} }, []error{ErrHostNotPublic}},
		{"reverse DNS", func(c *Config) { c.Hosts = []string{"1.0.0.127.in-addr.arpa"} }, []error{ErrHostNotPublic}},
		{"one bad host among good", func(c *Config) { c.Hosts = []string{"phone.example.com", "localhost"} }, []error{ErrHostLoopback}},

		{"empty listen", func(c *Config) { c.Listen = "" }, []error{ErrListenAddr}},
		{"listen without port", func(c *Config) { c.Listen = "203.0.113.5" }, []error{ErrListenAddr}},
		{"listen on a name", func(c *Config) { c.Listen = "localhost:443" }, []error{ErrListenAddr}},
		{"listen on a service name", func(c *Config) { c.Listen = ":https" }, []error{ErrListenAddr}},
		{"listen port too big", func(c *Config) { c.Listen = ":65536" }, []error{ErrListenAddr}},
		{"listen negative port", func(c *Config) { c.Listen = ":-1" }, []error{ErrListenAddr}},
		{"bad challenge address", func(c *Config) { c.HTTPChallenge = "80" }, []error{ErrListenAddr}},
		{"challenge on the TLS address", func(c *Config) { c.HTTPChallenge = c.Listen }, []error{ErrListenAddr}},

		{"no cache dir", func(c *Config) { c.CacheDir = "" }, []error{ErrCacheDir}},
		{"relative cache dir", func(c *Config) { c.CacheDir = "acme" }, []error{ErrCacheDir}},
		{"email with name", func(c *Config) { c.Email = "Ops <ops@example.com>" }, []error{ErrEmail}},
		{"not an email", func(c *Config) { c.Email = "ops" }, []error{ErrEmail}},
		{"http directory", func(c *Config) { c.DirectoryURL = "http://acme.example.com/dir" }, []error{ErrDirectoryURL}},
		{"relative directory", func(c *Config) { c.DirectoryURL = "/directory" }, []error{ErrDirectoryURL}},
		{"directory with credentials", func(c *Config) { c.DirectoryURL = "https://u:p@acme.example.com/" }, []error{ErrDirectoryURL}},

		{"every problem reported", func(c *Config) {
			c.Hosts = []string{"127.0.0.1", "*.example.com"}
			c.Listen = "nope"
			c.CacheDir = ""
		}, []error{ErrHostIP, ErrHostWildcard, ErrListenAddr, ErrCacheDir}},
	}
	all := []error{ErrNoHosts, ErrHostSyntax, ErrHostIP, ErrHostWildcard, ErrHostLoopback,
		ErrHostNotPublic, ErrListenAddr, ErrCacheDir, ErrEmail, ErrDirectoryURL}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.modify(&c)
			err := c.Validate()
			for _, sentinel := range all {
				if want := slices.Contains(tt.want, sentinel); errors.Is(err, sentinel) != want {
					t.Errorf("errors.Is(%v, %v) = %v, want %v", err, sentinel, !want, want)
				}
			}
			if tt.want == nil && err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
		})
	}
}

func make64(c byte) []byte {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return b
}

func TestHostsAreCanonical(t *testing.T) {
	cfg := testConfig(t)
	cfg.Hosts = []string{"Phone.Example.COM", "phone.example.com", "XN--TLPHONE-BYAB.example.com"}
	r := newTestRemote(t, cfg, &dialLog{})
	want := []string{"phone.example.com", "xn--tlphone-byab.example.com"}
	got := r.Hosts()
	if !slices.Equal(got, want) {
		t.Fatalf("Hosts() = %q, want %q", got, want)
	}
	got[0] = "changed.example.com"
	if r.Hosts()[0] != want[0] {
		t.Fatal("Hosts() returned the Remote's own slice")
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	cfg := testConfig(t)
	cfg.Hosts = []string{"localhost"}
	if _, err := newRemote(cfg, nil, (&dialLog{}).dial); !errors.Is(err, ErrHostLoopback) {
		t.Fatalf("newRemote = %v, want ErrHostLoopback", err)
	}
	if _, err := os.Stat(cfg.CacheDir); !os.IsNotExist(err) {
		t.Fatalf("cache directory created for an invalid config (stat: %v)", err)
	}
}

func TestNewCreatesPrivateCacheDir(t *testing.T) {
	cfg := testConfig(t)
	cfg.CacheDir = filepath.Join(t.TempDir(), "state", "acme")
	newTestRemote(t, cfg, &dialLog{})
	fi, err := os.Stat(cfg.CacheDir)
	if err != nil {
		t.Fatalf("cache directory not created: %v", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Fatalf("cache directory mode %v, want 0700", fi.Mode().Perm())
	}
}

func TestNewRefusesSharedCacheDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cache directory ACLs are set by the installer")
	}
	tests := []struct {
		name string
		mode os.FileMode
		want error
	}{
		{"owner only", 0o700, nil},
		{"group readable", 0o750, ErrCacheDirMode},
		{"world readable", 0o755, ErrCacheDirMode},
		{"world writable", 0o777, ErrCacheDirMode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			if err := os.Mkdir(cfg.CacheDir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(cfg.CacheDir, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := newRemote(cfg, nil, (&dialLog{}).dial)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("newRemote = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNewRefusesCacheFile(t *testing.T) {
	cfg := testConfig(t)
	if err := os.WriteFile(cfg.CacheDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := newRemote(cfg, nil, (&dialLog{}).dial); err == nil {
		t.Fatal("newRemote accepted a regular file as cache directory")
	}
}
