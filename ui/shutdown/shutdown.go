// Package shutdown ends a front end's process the safe way: what the engine
// has sent to an issuer and not stored yet (a refresh's rotated token, a
// sign-in's tokens) is seen through first, and the user is told.
package shutdown

import (
	"context"
	"fmt"
	"io"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/text"
)

// Finish closes the engine and waits for its pending exchanges, at most
// auth.Engine.CloseTimeout, saying on w what it waits for.
func Finish(e *auth.Engine, w io.Writer) {
	ctx, cancel := context.WithTimeout(context.Background(), e.CloseTimeout())
	defer cancel()
	err := e.Close(ctx, func(ops []auth.Pending) {
		fmt.Fprintf(w, "tokentray: finishing the %s… (press Ctrl-C again to quit at once)\n", text.Pending(ops))
	})
	if err != nil {
		fmt.Fprintf(w, "tokentray: gave up waiting after %v\n", e.CloseTimeout())
	}
}
