package proto

// Restriction is the read restriction set directly on one page, blog post
// or folder, as the fetcher's bulk listing found it. No users and no
// groups means the node carries no read restriction of its own.
type Restriction struct {
	ID     string     `msgpack:"id"`
	Users  []string   `msgpack:"users,omitempty"` // account ids
	Groups []GroupRef `msgpack:"groups,omitempty"`
}

// GroupRef names a group a restriction lists.
type GroupRef struct {
	ID   string `msgpack:"id"`
	Name string `msgpack:"name,omitempty"`
}

// Empty reports whether the node carries no read restriction.
func (r Restriction) Empty() bool { return len(r.Users) == 0 && len(r.Groups) == 0 }
