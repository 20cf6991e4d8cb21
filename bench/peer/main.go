// The yardstick for `npm run bench:operator`: the TagPolicy operator's job
// written the way a Go team would, on controller-runtime with its defaults.
// For every ACK kind named in --kinds it adds the tags in --tags that an
// object lacks, with one server-side apply (field owner ack-systems-bench-peer)
// and one Event per correction. It is not a product: no policy CRD, no
// status; the required tags come from the command line.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"k8s.io/client-go/tools/record"
)

const fieldOwner = "ack-systems-bench-peer"

// watchedKind is one ACK kind and where it keeps its tags (the shapes of lib/tags/tag-shape.ts).
type watchedKind struct {
	Group    string   `json:"group"`
	Version  string   `json:"version"`
	Kind     string   `json:"kind"`
	Path     []string `json:"path"`
	Form     string   `json:"form"` // "list" or "map"
	KeyField string   `json:"keyField"`
	ValField string   `json:"valueField"`
}

type tagger struct {
	client   client.Client
	recorder record.EventRecorder
	kind     watchedKind
	required map[string]string
}

func (t *tagger) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(schema.GroupVersionKind{Group: t.kind.Group, Version: t.kind.Version, Kind: t.kind.Kind})
	if err := t.client.Get(ctx, req.NamespacedName, obj); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	field := append([]string{"spec"}, t.kind.Path...)
	stored, _, _ := unstructured.NestedFieldNoCopy(obj.Object, field...)
	current := map[string]string{}
	var items []any
	switch t.kind.Form {
	case "map":
		if m, ok := stored.(map[string]any); ok {
			for k, v := range m {
				current[k], _ = v.(string)
			}
		}
	default:
		items, _ = stored.([]any)
		for _, item := range items {
			if m, ok := item.(map[string]any); ok {
				k, _ := m[t.kind.KeyField].(string)
				v, _ := m[t.kind.ValField].(string)
				current[k] = v
			}
		}
	}
	var missing []string
	for k, v := range t.required {
		if current[k] != v {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return reconcile.Result{}, nil
	}
	sort.Strings(missing)
	// A map is granular under server-side apply: send only the required keys. A list is
	// atomic: send the whole merged list, so that no tag is lost.
	var value any
	if t.kind.Form == "map" {
		m := map[string]any{}
		for k, v := range t.required {
			m[k] = v
		}
		value = m
	} else {
		merged := map[string]string{}
		for k, v := range current {
			merged[k] = v
		}
		for k, v := range t.required {
			merged[k] = v
		}
		keys := make([]string, 0, len(merged))
		for k := range merged {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		list := make([]any, 0, len(keys))
		for _, k := range keys {
			list = append(list, map[string]any{t.kind.KeyField: k, t.kind.ValField: merged[k]})
		}
		value = list
	}
	patch := &unstructured.Unstructured{Object: map[string]any{}}
	patch.SetGroupVersionKind(obj.GroupVersionKind())
	patch.SetNamespace(obj.GetNamespace())
	patch.SetName(obj.GetName())
	if err := unstructured.SetNestedField(patch.Object, value, field...); err != nil {
		return reconcile.Result{}, err
	}
	if err := t.client.Patch(ctx, patch, client.Apply, client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
		return reconcile.Result{}, err
	}
	t.recorder.Eventf(obj, corev1.EventTypeNormal, "TagsAdded", "added %s", strings.Join(missing, ", "))
	return reconcile.Result{}, nil
}

func main() {
	var kindsFile, tags, metricsAddr, leaseNamespace string
	var qps float64
	var burst int
	flag.StringVar(&kindsFile, "kinds", "", "JSON file: the kinds to watch and their tag shapes")
	flag.StringVar(&tags, "tags", "", "required tags, key=value,key=value")
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "metrics address")
	flag.StringVar(&leaseNamespace, "leader-election-namespace", "default", "namespace of the leader election Lease")
	flag.Float64Var(&qps, "qps", 50, "client QPS (raised from client-go's 5 to match the TypeScript operator, which has no client-side limit)")
	flag.IntVar(&burst, "burst", 100, "client burst")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("peer")

	var kinds []watchedKind
	data, err := os.ReadFile(kindsFile)
	if err == nil {
		err = json.Unmarshal(data, &kinds)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "--kinds: %v\n", err)
		os.Exit(2)
	}
	required := map[string]string{}
	for _, pair := range strings.Split(tags, ",") {
		if k, v, ok := strings.Cut(pair, "="); ok {
			required[k] = v
		}
	}

	cfg := ctrl.GetConfigOrDie()
	cfg.QPS = float32(qps)
	cfg.Burst = burst
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Metrics:                 metricsserver.Options{BindAddress: metricsAddr},
		LeaderElection:          true,
		LeaderElectionID:        "ack-systems-bench-peer",
		LeaderElectionNamespace: leaseNamespace,
		// Not the default: released on shutdown, as the TypeScript operator does, so a restart
		// is measured, not the Lease's 15 s expiry.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		log.Error(err, "manager")
		os.Exit(1)
	}
	for _, kind := range kinds {
		obj := &unstructured.Unstructured{}
		obj.SetGroupVersionKind(schema.GroupVersionKind{Group: kind.Group, Version: kind.Version, Kind: kind.Kind})
		r := &tagger{client: mgr.GetClient(), recorder: mgr.GetEventRecorderFor(fieldOwner), kind: kind, required: required}
		if err := ctrl.NewControllerManagedBy(mgr).Named(strings.ToLower(kind.Kind + "." + kind.Group)).For(obj).Complete(r); err != nil {
			log.Error(err, "controller", "kind", kind.Kind)
			os.Exit(1)
		}
	}
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
}
