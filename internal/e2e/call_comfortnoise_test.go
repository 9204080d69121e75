package e2e

import (
	bin "encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
	"github.com/wpservice/wpservice/internal/testpeer"
)

// Silence suppression with comfort noise (RFC 3389) against SIPp. SIPp calls
// the engine offering PCMU and CN/8000; with -rtp_echo its media port sends
// back every packet that reached it, so what the engine receives is what the
// far end saw. The engine's microphone hears a room's noise at -50 dBFS with
// a 2 s tone burst in it: the tone must cross as voice (50 packets a second)
// and be heard, the room's noise after it as CN packets (PT 13, a few a
// second) that the engine plays back as noise at their level. With the
// setting off nothing of that: no CN in the answer, none sent.

// cnNoiseDBFS is the level of the room's noise in the microphone's WAV.
const cnNoiseDBFS = -50

// writeRoomWithToneBurst writes the microphone's 8 kHz WAV: 2 s of the room's
// white noise at cnNoiseDBFS, 2 s of a 1 kHz tone over it, 5 s of the noise.
func writeRoomWithToneBurst(t *testing.T, path string) {
	t.Helper()
	const rate = 8000
	w, err := audio.CreateWAV(path, rate)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	peak := audio.FullScale * math.Pow(10, cnNoiseDBFS/20.0) * math.Sqrt(3) // uniform noise's RMS is peak/√3
	frame := make([]int16, rate*audio.FrameMillis/1000)
	n := 0
	for f := range 9 * 1000 / audio.FrameMillis {
		tone := f >= 100 && f < 200
		for i := range frame {
			v := (2*rng.Float64() - 1) * peak
			if tone {
				v += 8000 * math.Sin(2*math.Pi*1000*float64(n)/rate)
			}
			frame[i] = int16(math.Round(v))
			n++
		}
		w.WriteFrame(frame)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// callWithStats waits for the call's end, collecting the call.stats figures
// of it on the way (the connection subscribed to them), and returns them with
// the final ones the ended state carries.
func (c *client) callWithStats(callID string, timeout time.Duration) (seen []api.CallStats, final api.CallStats) {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.t.Fatal("connection closed during the call")
			}
			switch ev.Event {
			case api.EvCallStats:
				var st api.CallStatsEvent
				json.Unmarshal(ev.Data, &st)
				for _, s := range st.Calls {
					if s.CallID == callID {
						seen = append(seen, s)
					}
				}
			case api.EvCallState:
				var cs api.CallState
				json.Unmarshal(ev.Data, &cs)
				if cs.CallID == callID && cs.State == api.CallEnded {
					if cs.Stats == nil {
						c.t.Fatalf("the call ended without its figures: %+v", cs)
					}
					return seen, *cs.Stats
				}
			}
		case <-deadline:
			c.t.Fatalf("call %s did not end within %v", callID, timeout)
		}
	}
}

// perSecond is the packets received in each second between the stats events
// (one a second).
func perSecond(seen []api.CallStats) []uint64 {
	var out []uint64
	for i := 1; i < len(seen); i++ {
		out = append(out, seen[i].PacketsReceived-seen[i-1].PacketsReceived)
	}
	return out
}

// answerLine is the m= line of the engine's 200 to SIPp's INVITE.
func answerLine(t *testing.T, run *testpeer.SIPpRun) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)SIP/2\.0 200 OK.*?(m=audio [^\r\n]*)`).FindStringSubmatch(run.Messages())
	if m == nil {
		t.Fatalf("no 200 with an m= line:\n%s", run.Messages())
	}
	return m[1]
}

// echoCall runs SIPp's comfort noise call with its media echoed to an engine
// whose silenceSuppression is setting, and returns the engine's answer, the
// call's figures and what its speaker played.
func echoCall(t *testing.T, setting string) (line string, seen []api.CallStats, final api.CallStats, speaker []int16) {
	t.Helper()
	mic := filepath.Join(t.TempDir(), "room.wav")
	writeRoomWithToneBurst(t, mic)
	e := startEngine(t, engineOptions{settings: map[string]any{"silenceSuppression": setting}, audio: map[string]any{"inputFile": mic}})
	c := e.connect(t)
	c.mustDo(api.CmdEventsSubscribe.Name, map[string]any{"statsInterval": 1}, nil)
	run := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_comfort_noise_echo.xml"), Target: e.sipAddr(), Service: "alice",
		Extra: []string{"-rtp_echo"},
	})
	in := answerSIPp(t, c, run)
	seen, final = c.callWithStats(in.CallID, 20*time.Second)
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Fatalf("SIPp exited %d:\n%s", code, log)
	}
	line = answerLine(t, run)
	e.stop(t)
	return line, seen, final, readWAV(t, e.outWAV)
}

func TestSilenceSuppressionSendsComfortNoiseToSIPp(t *testing.T) {
	line, seen, final, speaker := echoCall(t, "on")
	if !regexp.MustCompile(`^m=audio \d+ RTP/AVP 0 13$`).MatchString(line) {
		t.Errorf("the engine answered %q, want PCMU with CN (13)", line)
	}
	rates := perSecond(seen)
	t.Logf("packets a second through the far end: %v; CN sent %d, received back %d; packets sent %d", rates, final.CNSent, final.CNReceived, final.PacketsSent)
	if len(rates) < 6 {
		t.Fatalf("only %d seconds of figures", len(rates))
	}
	// Voice: the tone goes as 50 packets a second; the room's noise, once
	// the detector has learnt it, as a CN packet every 200 ms or so.
	if hi := slices.Max(rates); hi < 45 {
		t.Errorf("no second of voice at 50 packets: %v", rates)
	}
	if lo := slices.Min(rates[1:]); lo > 8 {
		t.Errorf("no second of silence at a few CN packets: %v", rates)
	}
	if final.CNSent == 0 || final.CNReceived == 0 || final.CNReceived > final.CNSent {
		t.Errorf("CN sent %d, received back %d", final.CNSent, final.CNReceived)
	}
	if hz, rms := loudest(speaker); math.Abs(hz-1000) > 15 || rms < 1000 {
		t.Errorf("the far end's echo played %.0f Hz at RMS %.0f, want the 1000 Hz tone", hz, rms)
	}
	checkNoiseAfterTone(t, speaker, cnNoiseDBFS)
}

func TestSilenceSuppressionOffSendsNoComfortNoise(t *testing.T) {
	line, seen, final, speaker := echoCall(t, "off")
	if !regexp.MustCompile(`^m=audio \d+ RTP/AVP 0$`).MatchString(line) {
		t.Errorf("the engine answered %q, want PCMU alone: no CN for a peer when the setting is off", line)
	}
	rates := perSecond(seen)
	t.Logf("packets a second through the far end: %v", rates)
	if len(rates) < 6 {
		t.Fatalf("only %d seconds of figures", len(rates))
	}
	for i, r := range rates[1 : len(rates)-1] {
		if r < 45 {
			t.Errorf("second %d: %d packets, want every frame sent: %v", i+1, r, rates)
		}
	}
	if final.CNSent != 0 || final.CNReceived != 0 {
		t.Errorf("CN sent %d, received %d with the setting off", final.CNSent, final.CNReceived)
	}
	if hz, _ := loudest(speaker); math.Abs(hz-1000) > 15 {
		t.Errorf("the far end's echo played %.0f Hz, want the 1000 Hz tone", hz)
	}
}

// TestComfortNoiseFromSIPpIsPlayedAtItsLevel: SIPp plays a pcap of 1 s of a
// tone in PCMU, then a CN packet at -40 dBov, another a second later, then
// nothing. The engine plays the tone, then noise at -40 dBFS (within 3 dB)
// for as long as the silence lasts: not silence, not a frame repeated.
func TestComfortNoiseFromSIPpIsPlayedAtItsLevel(t *testing.T) {
	dir := t.TempDir()
	writeCNPcap(t, filepath.Join(dir, "cn.pcap"), 40)
	e := startEngine(t, engineOptions{settings: map[string]any{"silenceSuppression": "on"}})
	c := e.connect(t)
	run := testpeer.RunSIPp(t, testpeer.SIPpOptions{
		Scenario: testpeer.ScenarioPath(t, "uac_comfort_noise_pcap.xml"), Target: e.sipAddr(), Service: "alice", Dir: dir,
	})
	in := answerSIPp(t, c, run)
	_, final := c.callWithStats(in.CallID, 20*time.Second)
	if code, log := run.Wait(t, 10*time.Second); code != 0 {
		t.Fatalf("SIPp exited %d:\n%s", code, log)
	}
	e.stop(t)
	if final.CNReceived != 2 {
		t.Errorf("CN received %d, want the pcap's 2", final.CNReceived)
	}
	speaker := readWAV(t, e.outWAV)
	if hz, rms := loudest(speaker); math.Abs(hz-1000) > 15 || rms < 1000 {
		t.Errorf("the engine played %.0f Hz at RMS %.0f, want the pcap's 1000 Hz tone", hz, rms)
	}
	checkNoiseAfterTone(t, speaker, -40)
}

// checkNoiseAfterTone finds where the 1 kHz tone ends in what the speaker
// played and checks the 2 s from 300 ms after it: the 20 ms frames noise at
// dbfs within 3 dB, none the same as the one before. A frame the media clock
// made up on a loaded machine (a tick it missed) is silence in the
// recording: a few are let pass, no more than 5 %.
func checkNoiseAfterTone(t *testing.T, pcm []int16, dbfs float64) {
	t.Helper()
	const frame = audio.FrameSamples
	end := -1
	for i := 0; i+frame <= len(pcm); i += frame {
		if audio.ToneLevel(pcm[i:i+frame], audio.SampleRate, 1000) > 0.05 {
			end = i + frame
		}
	}
	if end < 0 {
		t.Fatal("no tone in what the speaker played")
	}
	from, to := end+15*frame, end+115*frame
	if to > len(pcm) {
		t.Fatalf("the speaker's recording ends %d ms after the tone", (len(pcm)-end)*1000/audio.SampleRate)
	}
	var levels []float64
	off := 0
	for i := from; i < to; i += frame {
		f := pcm[i : i+frame]
		lvl := audio.DBFS(f)
		levels = append(levels, math.Round(lvl))
		if math.Abs(lvl-dbfs) > 3 {
			off++
			continue
		}
		if slices.Equal(f, pcm[i-frame:i]) {
			t.Fatalf("%d ms after the tone: a frame repeats the one before", (i-end)*1000/audio.SampleRate)
		}
	}
	t.Logf("levels of the 2 s after the tone, dBFS: %v", levels)
	if off > len(levels)/20 {
		t.Errorf("%d of %d frames after the tone not comfort noise at %v dBFS ± 3", off, len(levels), dbfs)
	}
}

// writeCNPcap writes a pcap for SIPp's play_pcap_audio: 1 s of a 1 kHz tone
// at -20 dBFS in PCMU, 20 ms packets, then a CN packet (RFC 3389) at level
// -dBov, and another one second later.
func writeCNPcap(t *testing.T, path string, level byte) {
	t.Helper()
	var pkts [][]byte
	var times []time.Duration
	enc := audio.NewPCMU()
	pcm := make([]int16, 160)
	add := func(at time.Duration, pt uint8, seq uint16, marker bool, payload []byte) {
		b, err := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq,
			Timestamp: uint32(at / (time.Second / 8000)), SSRC: 0x5eed, Marker: marker}, Payload: payload}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		pkts, times = append(pkts, b), append(times, at)
	}
	for p := range 50 {
		for i := range pcm {
			pcm[i] = int16(3277 * math.Sin(2*math.Pi*1000*float64(p*160+i)/8000))
		}
		add(time.Duration(p)*20*time.Millisecond, 0, uint16(p), p == 0, enc.Encode(nil, pcm))
	}
	add(time.Second, 13, 50, false, []byte{level})
	add(2*time.Second, 13, 51, false, []byte{level})

	var b []byte
	b = bin.LittleEndian.AppendUint32(b, 0xa1b2c3d4)
	b = bin.LittleEndian.AppendUint16(b, 2)
	b = bin.LittleEndian.AppendUint16(b, 4)
	b = bin.LittleEndian.AppendUint32(b, 0) // thiszone
	b = bin.LittleEndian.AppendUint32(b, 0) // sigfigs
	b = bin.LittleEndian.AppendUint32(b, 65535)
	b = bin.LittleEndian.AppendUint32(b, 1) // Ethernet
	for i, p := range pkts {
		frame := ethernetUDP(p)
		at := time.Unix(1700000000, 0).Add(times[i])
		b = bin.LittleEndian.AppendUint32(b, uint32(at.Unix()))
		b = bin.LittleEndian.AppendUint32(b, uint32(at.Nanosecond()/1000))
		b = bin.LittleEndian.AppendUint32(b, uint32(len(frame)))
		b = bin.LittleEndian.AppendUint32(b, uint32(len(frame)))
		b = append(b, frame...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ethernetUDP wraps payload in Ethernet, IPv4 and UDP headers, 127.0.0.1:6000
// to 127.0.0.1:6001 (SIPp sends the payload to the call's media address).
func ethernetUDP(payload []byte) []byte {
	b := make([]byte, 0, 42+len(payload))
	b = append(b, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00)
	ip := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1}
	bin.BigEndian.PutUint16(ip[2:], uint16(20+8+len(payload)))
	var sum uint32
	for i := 0; i < len(ip); i += 2 {
		sum += uint32(bin.BigEndian.Uint16(ip[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	bin.BigEndian.PutUint16(ip[10:], ^uint16(sum))
	b = append(b, ip...)
	b = bin.BigEndian.AppendUint16(b, 6000)
	b = bin.BigEndian.AppendUint16(b, 6001)
	b = bin.BigEndian.AppendUint16(b, uint16(8+len(payload)))
	b = bin.BigEndian.AppendUint16(b, 0)
	return append(b, payload...)
}
