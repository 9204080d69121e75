package phone

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/wpservice/wpservice/internal/api"
)

// These tests run the engine on its real 20 ms clock inside a synctest bubble: time
// passes only when every goroutine waits, so a minute of idling takes no time and the
// frame counts are exact.

// clockedRig is a rig whose media clock is the real ticker, not the test's channel.
func clockedRig(t *testing.T) *rig {
	return newRig(t, func(c *Config) { c.FrameTick = nil })
}

// audioIs fails the test unless the engine uses want of the local audio and has opened
// and closed it as often as said.
func (r *rig) audioIs(step string, want audioNeed, opens, closes int) {
	r.t.Helper()
	synctest.Wait()
	using, o, c := r.audio.state()
	if using != want || o != opens || c != closes {
		r.t.Fatalf("%s: using %+v, opened %d and closed %d times; want %+v, %d and %d", step, using, o, c, want, opens, closes)
	}
}

// framesIn returns how many frames the media clock processes while d passes.
func (r *rig) framesIn(d time.Duration) int64 {
	synctest.Wait()
	before := r.audio.reads.Load()
	time.Sleep(d)
	synctest.Wait()
	return r.audio.reads.Load() - before
}

// answeredCall dials and has the peer answer; it returns the call's SIP id.
func (r *rig) answeredCall(to string) string {
	r.t.Helper()
	r.mustDo(api.CmdCallDial.Name, &api.DialArgs{To: to})
	id := r.sip.lastDial(r.t).id
	r.sipEvent(id, inAnswered, 200, peerSDP(30000, pcmu))
	return id
}

var (
	both     = audioNeed{capture: true, playback: true}
	mic      = audioNeed{capture: true}
	speaker  = audioNeed{playback: true}
	nothing  = audioNeed{}
	oneFrame = frameTime
)

func TestIdleEngineHoldsNoAudioAndRunsNoClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := clockedRig(t)
		if n := r.framesIn(time.Minute); n != 0 {
			t.Errorf("the idle engine processed %d frames in a minute, want none", n)
		}
		r.audioIs("idle", nothing, 0, 0)
	})
}

// A call opens the microphone and the speaker and starts the clock; a second call
// within the hold-off keeps them; they close within the hold-off after the last call,
// the clock stops with them, and the next call starts it afresh at its own pace.
func TestCallsOpenTheAudioOnceAndCloseItAfterTheLast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := clockedRig(t)
		id := r.answeredCall("bob")
		r.audioIs("a call", both, 1, 0)
		if n := r.framesIn(time.Second); n < 49 || n > 51 {
			t.Errorf("%d frames in a second of call, want 50", n)
		}

		r.sipEvent(id, inRemoteBye, 0, nil)
		time.Sleep(audioHoldOff / 2)
		id = r.answeredCall("carol")
		r.audioIs("a second call within the hold-off", both, 1, 0)

		r.sipEvent(id, inRemoteBye, 0, nil)
		ended := time.Now()
		time.Sleep(audioHoldOff - oneFrame)
		r.audioIs("just before the hold-off ends", both, 1, 0)
		time.Sleep(2 * time.Second)
		r.audioIs("after the last call", nothing, 1, 1)
		if d := r.audio.closedAt.Sub(ended); d < audioHoldOff || d > 2*time.Second {
			t.Errorf("closed %v after the last call ended, want between the hold-off (%v) and 2 s", d, audioHoldOff)
		}
		if n := r.framesIn(time.Minute); n != 0 {
			t.Errorf("%d frames in a minute after the last call, want none", n)
		}

		r.answeredCall("dave")
		r.audioIs("a call after the close", both, 2, 1)
		if n := r.framesIn(time.Second); n < 49 || n > 51 {
			t.Errorf("%d frames in the first second of a call after a minute stopped, want 50: the stopped time is not made up", n)
		}
	})
}

// A ringing call needs the speaker only; answering it adds the microphone without
// closing the speaker in between.
func TestRingingOpensTheSpeakerAndAnsweringTheMicrophone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := clockedRig(t)
		_, cs := r.incoming("sip-in-1")
		r.audioIs("ringing", speaker, 1, 0)
		r.mustDo(api.CmdCallAnswer.Name, &api.CallRef{CallID: cs.CallID})
		r.audioIs("answered", both, 1, 0)
	})
}

// A client watching levels opens the microphone and runs the clock with no call;
// when it stops watching, both stop after the hold-off.
func TestWatchingLevelsOpensTheMicrophone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := clockedRig(t)
		stop := r.p.WatchLevels()
		r.audioIs("levels watched", mic, 1, 0)
		if n := r.framesIn(time.Second); n < 49 || n > 51 {
			t.Errorf("%d frames in a second of level metering, want 50", n)
		}
		stop()
		stop() // a second stop changes nothing
		time.Sleep(2 * time.Second)
		r.audioIs("levels no longer watched", nothing, 1, 1)
	})
}
