package oauthsim

import (
	"net/http"
	"slices"
	"strings"
)

// resource is one entry of accessible-resources.
type resource struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	URL       string   `json:"url"`
	Scopes    []string `json:"scopes"`
	AvatarURL string   `json:"avatarUrl"`
}

// accessibleResources answers GET /oauth/token/accessible-resources: the
// sites of the grant, for a live Bearer access token; 401 otherwise.
func (s *Server) accessibleResources(w http.ResponseWriter, r *http.Request) {
	s.count(func(c *Counters) { c.ResourceCalls++ })
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") {
		s.refuseResources(w)
		return
	}
	f, ok := s.validAccess(auth)
	if !ok {
		s.refuseResources(w)
		return
	}
	scopes := slices.DeleteFunc(slices.Clone(f.scopes), func(sc string) bool { return sc == ScopeOfflineAccess })
	out := make([]resource, 0, len(s.sites))
	for _, site := range s.sites {
		out = append(out, resource{
			ID: site.CloudID, Name: site.Name, URL: site.URL, Scopes: scopes,
			AvatarURL: "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png",
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) refuseResources(w http.ResponseWriter) {
	s.count(func(c *Counters) { c.ResourceRefusals++ })
	writeJSON(w, http.StatusUnauthorized, map[string]any{"code": 401, "message": "Unauthorized"})
}
