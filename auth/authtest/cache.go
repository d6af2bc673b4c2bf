package authtest

import (
	"sync"
	"time"
)

// Cache is an in-memory auth.TokenCache, safe for concurrent use. It keeps
// what it is given until it is dropped: the ttl of each Put is recorded
// (TTL), never enforced, so that a test sees whether the engine's own end
// of a copy's life holds.
type Cache struct {
	mu   sync.Mutex
	vals map[string]string
	ttls map[string]time.Duration
}

// NewCache returns an empty Cache.
func NewCache() *Cache {
	return &Cache{vals: map[string]string{}, ttls: map[string]time.Duration{}}
}

// Get implements auth.TokenCache.
func (c *Cache) Get(name string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.vals[name]
	return v, ok
}

// Put implements auth.TokenCache.
func (c *Cache) Put(name, value string, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.vals[name], c.ttls[name] = value, ttl
}

// Drop implements auth.TokenCache.
func (c *Cache) Drop(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.vals, name)
}

// TTL is the ttl of the last Put for the profile.
func (c *Cache) TTL(name string) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ttls[name]
}
