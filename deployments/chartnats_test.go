package deployments_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/conf"
)

// TestChartNATSAccountsMatchAccountsConf: the NATS chart's accounts in
// values.yaml (nats.config.merge) give each user exactly the permissions
// of nats/accounts.conf, which TestAccountsAllowWhatEachWorkerUses and
// TestFleetUnderAccounts check against the code, and every password comes
// from the Secret key the workers read.
func TestChartNATSAccountsMatchAccountsConf(t *testing.T) {
	for _, u := range append(append([]string{}, users...), "operator", "sys") {
		t.Setenv(strings.ToUpper(u)+"_PASSWORD", password(u))
	}
	b, err := os.ReadFile("nats/accounts.conf")
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := conf.Parse(string(b))
	if err != nil {
		t.Fatalf("nats/accounts.conf: %v", err)
	}
	fromConf := permissionsByUser(t, parsed["accounts"])

	values := loadChart(t).Values
	natsValues, _ := values["nats"].(map[string]any)
	cfg, _ := natsValues["config"].(map[string]any)
	merge, _ := cfg["merge"].(map[string]any)
	fromChart := permissionsByUser(t, merge["accounts"])
	if len(fromChart) == 0 {
		t.Fatal("values.yaml: no nats.config.merge.accounts")
	}
	if !reflect.DeepEqual(fromConf, fromChart) {
		a, _ := json.MarshalIndent(fromConf, "", " ")
		c, _ := json.MarshalIndent(fromChart, "", " ")
		t.Errorf("values.yaml nats.config.merge.accounts differ from nats/accounts.conf\naccounts.conf:\n%s\nvalues.yaml:\n%s", a, c)
	}
	if merge["system_account"] != "SYS" || parsed["system_account"] != "SYS" {
		t.Errorf("system_account: values %v, accounts.conf %v", merge["system_account"], parsed["system_account"])
	}

	container, _ := natsValues["container"].(map[string]any)
	env, _ := container["env"].(map[string]any)
	secretName := values["secret"].(map[string]any)["name"]
	for user := range fromConf {
		name := strings.ToUpper(strings.TrimPrefix(user, "CONFLUX/"))
		name = strings.TrimPrefix(name, "SYS/") + "_PASSWORD"
		e, _ := env[name].(map[string]any)
		raw, _ := json.Marshal(e)
		want := `{"valueFrom":{"secretKeyRef":{"key":"` + strings.ToLower(strings.TrimSuffix(name, "_PASSWORD")) + `-password","name":"` + secretName.(string) + `"}}}`
		if string(raw) != want {
			t.Errorf("nats.container.env.%s = %s, want %s", name, raw, want)
		}
	}
	t.Logf("%d users with the same permissions in both", len(fromConf))
}

// permissionsByUser maps "<account>/<user>" to its permissions block
// (nil for none) from an accounts map.
func permissionsByUser(t *testing.T, accounts any) map[string]any {
	t.Helper()
	out := map[string]any{}
	accs, _ := accounts.(map[string]any)
	for acc, a := range accs {
		am, _ := a.(map[string]any)
		list, _ := am["users"].([]any)
		for _, u := range list {
			um, _ := u.(map[string]any)
			// Round-trip through JSON so both sides have the same types.
			raw, err := json.Marshal(um["permissions"])
			if err != nil {
				t.Fatal(err)
			}
			var p any
			_ = json.Unmarshal(raw, &p)
			out[acc+"/"+um["user"].(string)] = p
		}
	}
	return out
}
