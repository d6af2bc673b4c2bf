// Command floor is the bench's lower bound for a cached `tokentray token`:
// the least a Go program can do to print an access token kept in the
// Secret Service. One connection, the session and the search sent together,
// then the secret, a JSON decode and a line of output — no profile, no
// expiry check, no CLI, no error advice. `make bench` prints its time beside
// tokentray's so that the distance to what any Go client could reach is
// visible. It reads the login collection, where gnome-keyring keeps
// tokentray's items.
//
//	floor SERVICE NAME
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/godbus/dbus/v5"
)

func main() {
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(service, name string) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	coll := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/collection/login")
	search := coll.Go("org.freedesktop.Secret.Collection.SearchItems", 0, nil, map[string]string{"service": service, "username": "session:" + name})
	var ignored dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&ignored, &session); err != nil {
		return err
	}
	var items []dbus.ObjectPath
	if err := (<-search.Done).Store(&items); err != nil {
		return err
	}
	if len(items) == 0 {
		return fmt.Errorf("no session item for %s", name)
	}
	var secret struct {
		Session     dbus.ObjectPath
		Params      []byte
		Value       []byte
		ContentType string
	}
	if err := conn.Object("org.freedesktop.secrets", items[0]).Call("org.freedesktop.Secret.Item.GetSecret", 0, session).Store(&secret); err != nil {
		return err
	}
	var v struct {
		Token struct {
			AccessToken string `json:"access_token"`
		} `json:"token"`
	}
	if err := json.Unmarshal(secret.Value, &v); err != nil || v.Token.AccessToken == "" {
		return fmt.Errorf("no access token in the session item")
	}
	fmt.Println(v.Token.AccessToken)
	return nil
}
