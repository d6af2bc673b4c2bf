package session

import (
	"context"

	"github.com/tokentray/tokentray/auth"
)

// LoadProfile reads name's stored profile, client secret included (for the
// editor), off the UI goroutine and hands it to done on it. The error is
// worded by Problem.
func (s *Session) LoadProfile(name string, done func(auth.Profile, error)) {
	var p auth.Profile
	var err error
	s.Loop.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		p, err = s.Engine.Profile(ctx, name)
	}, func() { done(p, err) })
}

// SaveResult is the outcome of saving a profile.
type SaveResult struct {
	Profile auth.Profile // as stored (normalised); as given when not Saved
	Saved   bool         // the profile was stored (Err may still say the refresh token was not)
	Message string       // what the user is told
	Err     error
}

// SaveProfile stores p, as a new profile when adding, and then the pasted
// refreshToken unless it is empty, off the UI goroutine; done gets the
// outcome on the UI goroutine. A profile that was stored but whose refresh
// token was not is Saved with an Err: it exists now, so trying again is an
// edit, not another add.
func (s *Session) SaveProfile(p auth.Profile, refreshToken string, adding bool, done func(SaveResult)) {
	res := SaveResult{Profile: p}
	s.Loop.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		var saved auth.Profile
		var err error
		if adding {
			saved, err = s.Engine.AddProfile(ctx, p)
		} else {
			saved, err = s.Engine.UpdateProfile(ctx, p)
		}
		if err != nil {
			res.Err = err
			return
		}
		res.Profile, res.Saved = saved, true
		if refreshToken != "" {
			res.Err = s.Engine.SetRefreshToken(ctx, saved.Name, refreshToken)
		}
	}, func() {
		name := res.Profile.Name
		switch {
		case !res.Saved:
			res.Message = "Not saved. " + Problem(res.Err)
		case res.Err != nil:
			res.Message = "Saved " + name + ", but the refresh token was not stored: " + clause(Problem(res.Err))
		default:
			res.Message = "Saved " + name + "."
			// A new issuer, client or refresh token: the last failure no
			// longer describes the profile.
			s.record(name, nil)
		}
		if done != nil {
			done(res)
		}
	})
}

// RemoveResult is the outcome of removing a profile.
type RemoveResult struct {
	Name    string
	Message string // what the user is told
	Err     error
}

// RemoveProfile deletes name and everything stored for it off the UI
// goroutine; done (may be nil) gets the outcome on the UI goroutine.
func (s *Session) RemoveProfile(name string, done func(RemoveResult)) {
	res := RemoveResult{Name: name}
	s.Loop.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		res.Err = s.Engine.RemoveProfile(ctx, name)
	}, func() {
		if res.Err != nil {
			res.Message = "Not deleted. " + Problem(res.Err)
		} else {
			res.Message = "Deleted " + name + "."
			s.record(name, nil)
		}
		if done != nil {
			done(res)
		}
	})
}
