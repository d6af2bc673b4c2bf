package cli

import (
	"errors"
	"fmt"

	"github.com/tokentray/tokentray/auth"
)

// withHint adds the command that fixes a missing or rejected refresh token.
func withHint(err error, name string) error {
	if errors.Is(err, auth.ErrNeedsLogin) {
		return fmt.Errorf("%w\nSign in again: tokentray login %s (or --device, or --refresh-token-stdin)", err, name)
	}
	return err
}
