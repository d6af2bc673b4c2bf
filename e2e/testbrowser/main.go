// Command testbrowser stands in for a web browser in tokentray's sign-in
// tests: $BROWSER points at it, tokentray runs it with the authorization URL,
// and it follows the redirects (the test authorization server signs in and
// consents automatically) back to tokentray's loopback callback.
//
// TESTBROWSER_MODE makes it misbehave like an attacker or a broken issuer:
//
//	wrong-state  changes the state on the way back to the callback
//	no-code      drops the code on the way back to the callback
//	strip-pkce   removes code_challenge from the authorization request
//
// What happened is appended to $TESTBROWSER_LOG (never any token or code).
package main

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: testbrowser URL")
		os.Exit(2)
	}
	mode := os.Getenv("TESTBROWSER_MODE")
	u, err := url.Parse(os.Args[1])
	if err != nil {
		logf("bad url: %v", err)
		os.Exit(1)
	}
	if mode == "strip-pkce" {
		q := u.Query()
		q.Del("code_challenge")
		q.Del("code_challenge_method")
		u.RawQuery = q.Encode()
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > 20 {
			return fmt.Errorf("too many redirects")
		}
		if req.URL.Path == "/callback" && strings.HasPrefix(req.URL.Host, "127.0.0.1:") {
			q := req.URL.Query()
			switch mode {
			case "wrong-state":
				q.Set("state", "forged-state")
			case "no-code":
				q.Del("code")
			}
			req.URL.RawQuery = q.Encode()
			logf("callback: error=%q has_code=%v", q.Get("error"), q.Get("code") != "")
		}
		return nil
	}}
	resp, err := client.Get(u.String())
	if err != nil {
		logf("get: %v", err)
		os.Exit(1)
	}
	resp.Body.Close()
	logf("final: %s %d", resp.Request.URL.Path, resp.StatusCode)
}

func logf(format string, a ...any) {
	path := os.Getenv("TESTBROWSER_LOG")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, format+"\n", a...)
}
