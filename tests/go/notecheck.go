// notecheck runs Go's reference signed-note implementation (golang.org/x/mod/sumdb/note)
// against notes and keys written by Tracelight, so the interop claim in docs/ledger.md is
// checked by the standard verifier itself rather than by our reading of the spec.
//
//	notecheck verify VKEY NOTEFILE   print the verified text and the signers; exit 1 on failure
//	notecheck sign SKEY TEXTFILE     print the note signed with SKEY
//	notecheck generate NAME          print a fresh SKEY and VKEY, one per line
package main

import (
	"crypto/rand"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
)

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: notecheck verify|sign|generate ..."))
	}
	switch os.Args[1] {
	case "verify":
		verifier, err := note.NewVerifier(os.Args[2])
		if err != nil {
			fail(err)
		}
		msg, err := os.ReadFile(os.Args[3])
		if err != nil {
			fail(err)
		}
		n, err := note.Open(msg, note.VerifierList(verifier))
		if err != nil {
			fail(err)
		}
		fmt.Print(n.Text)
		for _, sig := range n.Sigs {
			fmt.Printf("verified %s %08x\n", sig.Name, sig.Hash)
		}
		for _, sig := range n.UnverifiedSigs {
			fmt.Printf("unverified %s %08x\n", sig.Name, sig.Hash)
		}
	case "sign":
		signer, err := note.NewSigner(os.Args[2])
		if err != nil {
			fail(err)
		}
		text, err := os.ReadFile(os.Args[3])
		if err != nil {
			fail(err)
		}
		msg, err := note.Sign(&note.Note{Text: string(text)}, signer)
		if err != nil {
			fail(err)
		}
		os.Stdout.Write(msg)
	case "generate":
		skey, vkey, err := note.GenerateKey(rand.Reader, os.Args[2])
		if err != nil {
			fail(err)
		}
		fmt.Println(skey)
		fmt.Println(vkey)
	default:
		fail(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
}
