// Command certutil stands, in the wine tests, for the Windows certutil.exe that
// wine 8 ships as a stub (it stores nothing and says nothing). It keeps the
// user's Root store as the names of its certificates in root.txt, and every
// command line it was given in calls.log, both beside itself. It answers the
// three forms the engine's WindowsRootStore runs, as certutil does:
//
//	certutil -user -addstore Root FILE    adds FILE's certificate
//	certutil -user -store Root NAME       lists it, or fails with CRYPT_E_NOT_FOUND
//	certutil -user -delstore Root NAME    deletes it, or fails with CRYPT_E_NOT_FOUND
package main

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// notFound is certutil's failure for a certificate the store does not hold.
const notFound = "0x80092004 (-2146885628 CRYPT_E_NOT_FOUND)"

func main() {
	exe, err := os.Executable()
	if err != nil {
		fail("%v", err)
	}
	dir := filepath.Dir(exe)
	record(filepath.Join(dir, "calls.log"), os.Args[1:])
	storePath := filepath.Join(dir, "root.txt")
	store := load(storePath)

	args := os.Args[1:]
	if len(args) != 4 || args[0] != "-user" || args[2] != "Root" {
		fail("CertUtil: unexpected command line %q", args)
	}
	switch verb, arg := args[1], args[3]; verb {
	case "-addstore":
		name := commonName(arg)
		save(storePath, append(store, name))
		fmt.Printf("Root\nCertificate %q added to store.\nCertUtil: -addstore command completed successfully.\n", name)
	case "-store":
		if !slices.Contains(store, arg) {
			fail("CertUtil: -store command FAILED: %s", notFound)
		}
		fmt.Printf("Root\n================ Certificate 0 ================\nSubject: CN=%s\nCertUtil: -store command completed successfully.\n", arg)
	case "-delstore":
		i := slices.Index(store, arg)
		if i < 0 {
			fail("CertUtil: -delstore command FAILED: %s", notFound)
		}
		save(storePath, slices.Delete(store, i, i+1))
		fmt.Printf("Root\nDeleting Certificate 0\nCertUtil: -delstore command completed successfully.\n")
	default:
		fail("CertUtil: unknown verb %s", verb)
	}
}

// commonName is the subject CN of the certificate in the PEM file path.
func commonName(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		fail("CertUtil: %v", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		fail("CertUtil: %s holds no PEM block", path)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		fail("CertUtil: %v", err)
	}
	return cert.Subject.CommonName
}

// load is the store's certificate names, one a line; none before the first add.
func load(path string) []string {
	data, _ := os.ReadFile(path)
	return strings.FieldsFunc(string(data), func(r rune) bool { return r == '\n' })
}

// save writes the store's names, one a line.
func save(path string, names []string) {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		fail("CertUtil: %v", err)
	}
}

// record appends a command line to the log, its arguments tab-separated.
func record(path string, args []string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fail("CertUtil: %v", err)
	}
	defer f.Close()
	fmt.Fprintln(f, strings.Join(args, "\t"))
}

// fail prints the failure, as certutil does on standard output, and exits 1.
func fail(format string, args ...any) {
	fmt.Printf(format+"\n", args...)
	os.Exit(1)
}
