package device

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// scriptedLister returns one step of a script per poll, then repeats the last one.
type scriptedLister struct {
	mu    sync.Mutex
	steps []listing
	polls int
}

type listing struct {
	inputs, outputs []Device
	err             error
}

func (s *scriptedLister) list() ([]Device, []Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	step := s.steps[min(s.polls, len(s.steps)-1)]
	s.polls++
	return slices.Clone(step.inputs), slices.Clone(step.outputs), step.err
}

func TestWatchReportsChanges(t *testing.T) {
	mic := Device{ID: "01", Name: "Built-in microphone", Default: true}
	headsetIn := Device{ID: "02", Name: "Headset microphone"}
	speaker := Device{ID: "03", Name: "Speakers", Default: true}
	headsetOut := Device{ID: "04", Name: "Headset earphone"}
	headsetOutDefault := headsetOut
	headsetOutDefault.Default = true
	speakerNotDefault := speaker
	speakerNotDefault.Default = false
	errBackend := errors.New("backend hiccup")

	base := listing{inputs: []Device{mic}, outputs: []Device{speaker}}
	plugged := listing{inputs: []Device{mic, headsetIn}, outputs: []Device{speaker, headsetOut}}
	defaultMoved := listing{inputs: []Device{mic, headsetIn}, outputs: []Device{speakerNotDefault, headsetOutDefault}}

	tests := []struct {
		name  string
		steps []listing // poll 0 is the baseline
		want  []listing // onChange calls over the first 6 polls
	}{
		{"no change, no call", []listing{base}, nil},
		{"plug in and out", []listing{base, base, plugged, plugged, base}, []listing{plugged, base}},
		{"default device changes", []listing{plugged, defaultMoved}, []listing{defaultMoved}},
		{"failed poll is skipped", []listing{base, {err: errBackend}, base, plugged}, []listing{plugged}},
		{"failed baseline reports the first success", []listing{{err: errBackend}, {err: errBackend}, base}, []listing{base}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				lister := &scriptedLister{steps: tt.steps}
				var got []listing
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan struct{})
				go func() {
					defer close(done)
					watch(ctx, time.Second, lister.list, func(in, out []Device) {
						got = append(got, listing{inputs: in, outputs: out})
					})
				}()
				time.Sleep(5*time.Second + time.Millisecond) // five ticks after the baseline
				synctest.Wait()
				cancel()
				<-done
				if lister.polls != 6 {
					t.Errorf("%d polls in 5 s at 1 s intervals, want 6", lister.polls)
				}
				if !slices.EqualFunc(got, tt.want, equalListing) {
					t.Errorf("onChange calls = %+v, want %+v", got, tt.want)
				}
			})
		})
	}
}

func equalListing(a, b listing) bool {
	return slices.Equal(a.inputs, b.inputs) && slices.Equal(a.outputs, b.outputs)
}

// Watch on a real backend returns when its context ends.
func TestWatchNullStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	calls := 0
	go func() {
		defer close(done)
		Watch(ctx, "null", 10*time.Millisecond, func(_, _ []Device) { calls++ })
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after cancel")
	}
	if calls != 0 {
		t.Errorf("onChange called %d times for an unchanging null backend", calls)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// A baseline given by the caller: a device gone before the first poll is a change
// that poll reports (with the first listing as baseline it would go unseen).
func TestWatchFromAGivenBaseline(t *testing.T) {
	speaker := Device{ID: "03", Name: "Speakers", Default: true}
	headset := Device{ID: "04", Name: "Headset earphone"}
	synctest.Test(t, func(t *testing.T) {
		lister := &scriptedLister{steps: []listing{{outputs: []Device{speaker}}}}
		var got []listing
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			defer close(done)
			watchFrom(ctx, time.Second, lister.list, nil, []Device{speaker, headset}, true, func(in, out []Device) {
				got = append(got, listing{inputs: in, outputs: out})
			})
		}()
		time.Sleep(3*time.Second + time.Millisecond)
		synctest.Wait()
		cancel()
		<-done
		if want := []listing{{outputs: []Device{speaker}}}; !slices.EqualFunc(got, want, equalListing) {
			t.Errorf("onChange calls = %+v, want the headset's going once: %+v", got, want)
		}
	})
}
