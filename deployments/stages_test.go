package deployments_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/conflux-dev/conflux/proto"
)

// TestChartWorkersFollowTheStageTable checks the chart's workers against
// proto.Stages: one Deployment per stage and the scheduler, each stage's
// default replicas those of the table.
func TestChartWorkersFollowTheStageTable(t *testing.T) {
	workersVal, ok := loadChart(t).Values["workers"].(map[string]any)
	if !ok {
		t.Fatal("values.yaml has no workers map")
	}
	var names []string
	for name := range workersVal {
		names = append(names, name)
	}
	sort.Strings(names)
	want := append(proto.StageNames(), "scheduler")
	sort.Strings(want)
	if !slices.Equal(names, want) {
		t.Errorf("chart workers %v, want the stages of proto.Stages and the scheduler %v", names, want)
	}
	for _, st := range proto.Stages {
		w, _ := workersVal[st.Name].(map[string]any)
		if got := fmt.Sprint(w["replicas"]); got != fmt.Sprint(st.Replicas) {
			t.Errorf("workers.%s.replicas is %s, the stage table says %d", st.Name, got, st.Replicas)
		}
	}
}
