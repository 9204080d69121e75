package phone

import (
	"math"
	"testing"

	"github.com/wpservice/wpservice/internal/audio"
)

// tone is one 20 ms frame of a sine at hz (a whole number of periods per frame).
func tone(hz float64, peak int16) []int16 {
	f := make([]int16, audio.FrameSamples)
	audio.NewToneSource(hz, peak).ReadFrame(f)
	return f
}

// toneIn reports whether pcm holds a tone at hz clearly (at least 0.05 of full scale).
func toneIn(pcm []int16, hz float64) bool { return audio.ToneLevel(pcm, audio.SampleRate, hz) > 0.05 }

// The conference's N-1 mix: each member is sent the microphone and the other members,
// never itself; the speaker plays every member.
func TestConferenceMixEachHearsTheOthers(t *testing.T) {
	const mic = 900
	members := []float64{500, 1300, 2100}
	r := newPumpRig(t, constSource(tone(mic, 6000)))
	var streams []*fakeStream
	for _, hz := range members {
		streams = append(streams, r.call(tone(hz, 6000)))
	}
	r.plan(func(pl *mixPlan) {
		for i := range pl.legs {
			pl.legs[i].conference = true
		}
	})
	r.steps(5)
	for i, s := range streams {
		got := sent(t, s, 4)
		if !toneIn(got, mic) {
			t.Errorf("member %v Hz does not hear the microphone", members[i])
		}
		for j, hz := range members {
			if heard := toneIn(got, hz); heard != (i != j) {
				t.Errorf("member %v Hz hears %v Hz: %v, want %v", members[i], hz, heard, i != j)
			}
		}
	}
	played := r.played(t, 4)
	for _, hz := range members {
		if !toneIn(played, hz) {
			t.Errorf("the speaker does not play %v Hz", hz)
		}
	}
	if toneIn(played, mic) {
		t.Error("the speaker plays the microphone")
	}
}

// A call outside the conference hears only the microphone, and a held member is
// neither heard by the others nor hears them.
func TestConferenceMixLeavesOthersOut(t *testing.T) {
	r := newPumpRig(t, constSource(tone(900, 6000)))
	a, b := r.call(tone(500, 6000)), r.call(tone(1300, 6000))
	held, single := r.call(tone(2100, 6000)), r.call(tone(1700, 6000))
	r.plan(func(pl *mixPlan) {
		for i := range 3 {
			pl.legs[i].conference = true
		}
		pl.legs[2].held = true
	})
	r.steps(5)
	if got := sent(t, a, 4); !toneIn(got, 1300) || toneIn(got, 2100) || toneIn(got, 1700) {
		t.Error("member a hears a held member or a call outside the conference, or not member b")
	}
	if got := sent(t, b, 4); !toneIn(got, 500) || toneIn(got, 2100) {
		t.Error("member b hears a held member, or not member a")
	}
	if got := sent(t, held, 4); audio.RMS(got) != 0 {
		t.Error("a held member is sent sound")
	}
	if got := sent(t, single, 4); !toneIn(got, 900) || toneIn(got, 500) || toneIn(got, 1300) {
		t.Error("a call outside the conference hears the members, or not the microphone")
	}
}

// Loud parties saturate: a member's sum clips at full scale instead of wrapping round
// to the opposite sign.
func TestConferenceMixSaturates(t *testing.T) {
	loud := func() []int16 {
		f := make([]int16, audio.FrameSamples)
		for i := range f {
			f[i] = 20000
		}
		return f
	}
	r := newPumpRig(t, constSource(loud()))
	a := r.call(loud())
	r.call(loud())
	r.call(loud())
	r.plan(func(pl *mixPlan) {
		for i := range pl.legs {
			pl.legs[i].conference = true
		}
	})
	r.steps(1)
	for _, s := range sent(t, a, 1) {
		if s != math.MaxInt16 {
			t.Fatalf("member a is sent %d, want %d (clipped)", s, math.MaxInt16)
		}
	}
}

// A conference frame allocates nothing once the pump has seen as many legs.
func TestConferenceMixDoesNotAllocate(t *testing.T) {
	p := benchConferencePump(4)
	p.frame()
	if n := testing.AllocsPerRun(100, func() { p.frame() }); n != 0 {
		t.Errorf("a conference frame allocates %v times", n)
	}
}

func benchConferencePump(members int) *pump {
	io := &nullAudio{fakeAudio{src: constSource(toneFrame(8000))}}
	p := newPump(io, nil, nil)
	pl := &mixPlan{vol: volumes{input: 40, output: 60, ringer: unityVolume}}
	for i := range members {
		pl.legs = append(pl.legs, leg{stream: nullStream{rx: tone(float64(400+200*i), 4000)}, conference: true})
	}
	p.setPlan(pl)
	return p
}

// One 20 ms frame of a four-party conference (three calls and the microphone): every
// member gets its own N-1 mix.
func BenchmarkPumpFrameConference(b *testing.B) {
	p := benchConferencePump(3)
	b.ReportAllocs()
	for b.Loop() {
		p.frame()
	}
}

// A member that holds us (its music on hold) is played to the user but not to the
// other members.
func TestConferenceMixKeepsMusicOnHoldFromTheOthers(t *testing.T) {
	r := newPumpRig(t, constSource(tone(900, 6000)))
	a := r.call(tone(500, 6000))
	r.call(tone(1300, 6000))
	r.plan(func(pl *mixPlan) {
		for i := range pl.legs {
			pl.legs[i].conference = true
		}
		pl.legs[1].remoteHeld = true
	})
	r.steps(5)
	if got := sent(t, a, 4); toneIn(got, 1300) || !toneIn(got, 900) {
		t.Error("member a hears the music on hold of a member holding us, or not the microphone")
	}
	if !toneIn(r.played(t, 4), 1300) {
		t.Error("the user does not hear the member holding us")
	}
}
