package stage

import "testing"

// A runner recognises a late delivery of one of its last recentAcks
// acknowledged messages, and forgets older ones; a message that was not
// acknowledged is handled again.
func TestFlightsRememberRecentAcks(t *testing.T) {
	var fs flights
	for seq := uint64(1); seq <= recentAcks+1; seq++ {
		f, first := fs.join(seq)
		if !first {
			t.Fatalf("sequence %d: not first", seq)
		}
		fs.land(seq, f, true)
	}
	if _, first := fs.join(1); !first {
		t.Error("sequence 1 still remembered after recentAcks newer acks")
	}
	if f, first := fs.join(recentAcks + 1); first || !f.acked {
		t.Error("the last acknowledged sequence not recognised")
	}
	f, _ := fs.join(1)
	fs.land(1, f, false) // retried
	if _, first := fs.join(1); !first {
		t.Error("a sequence handed back for a retry is not handled again")
	}
}
