package userscsv

import (
	"fmt"
	"slices"
	"strings"
)

// seenStatus is the status of an account's first row, kept for skipped
// accounts too so that a later row cannot contradict it silently.
type seenStatus struct {
	status string
	line   int
}

// merger folds rows into users.
type merger struct {
	cols   columns
	users  []User
	index  map[string]int // account id → position in users
	status map[string]seenStatus
	bad    []LineError
}

// add folds the record of a line in, or says why it cannot.
func (m *merger) add(f []string, line int) error {
	if len(f) != m.cols.n {
		return fmt.Errorf("%w: %d, the header has %d", ErrFieldCount, len(f), m.cols.n)
	}
	get := func(i int) string {
		if i < 0 {
			return ""
		}
		return strings.TrimSpace(f[i])
	}
	id, status := get(m.cols.id), get(m.cols.status)
	if id == "" {
		return ErrNoUserID
	}
	if first, ok := m.status[id]; !ok {
		m.status[id] = seenStatus{status: status, line: line}
	} else if !strings.EqualFold(first.status, status) {
		return fmt.Errorf("%w: status %q, line %d says %q", ErrConflict, status, first.line, first.status)
	}
	if !strings.EqualFold(status, "active") {
		return nil
	}
	i, seen := m.index[id]
	if !seen {
		m.index[id] = len(m.users)
		m.users = append(m.users, User{AccountID: id, Status: status})
		i = len(m.users) - 1
	}
	u := &m.users[i]
	email := get(m.cols.email)
	if email != "" && u.Email != "" && !strings.EqualFold(email, u.Email) {
		return fmt.Errorf("%w: email %q, an earlier row says %q", ErrConflict, email, u.Email)
	}
	if u.Email == "" {
		u.Email = email
	}
	if u.Name == "" {
		u.Name = get(m.cols.name)
	}
	m.addGroups(u, f)
	return nil
}

func (m *merger) addGroups(u *User, f []string) {
	if m.cols.groupID < 0 && m.cols.groupName < 0 && len(m.cols.pivot) == 0 && len(m.cols.lists) == 0 {
		return
	}
	if u.Groups == nil {
		u.Groups = []string{}
	}
	if m.cols.groupName >= 0 {
		u.Groups = appendNew(u.Groups, f[m.cols.groupName])
	}
	for _, i := range m.cols.pivot {
		u.Groups = appendNew(u.Groups, f[i])
	}
	for _, i := range m.cols.lists {
		for _, g := range strings.Split(f[i], ",") {
			u.Groups = appendNew(u.Groups, g)
		}
	}
	if m.cols.groupID >= 0 {
		if u.GroupIDs == nil {
			u.GroupIDs = []string{}
		}
		u.GroupIDs = appendNew(u.GroupIDs, f[m.cols.groupID])
	}
}

// appendNew appends v, trimmed, unless it is empty or already there.
func appendNew(list []string, v string) []string {
	v = strings.TrimSpace(v)
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
