package audio

// Tone plans: the call-progress tones a country's network plays, which a softphone
// plays locally when the network does not (ringback without early media, busy and
// congestion after a failure, the call-waiting beep). Frequencies and cadences are
// those of ITU-T E.180 Supplement 2 ("Various tones used in national networks"),
// checked against the national specifications named on each plan.

// Cadence is one step of a tone's pattern: Freqs sound together for Millis (none:
// silence). A Tone repeats its steps for as long as it plays.
type Cadence struct {
	Freqs  []float64
	Millis int
}

// Tone is a call-progress tone: a repeating cadence played at Amplitude (the peak
// of each frequency). One step with no silence is a continuous tone.
type Tone struct {
	Steps     []Cadence
	Amplitude int16
}

// TonePlan is the set of tones of one country's network.
type TonePlan struct {
	Name        string // "us", "uk", "eu"
	Dial        Tone
	Ringback    Tone
	Busy        Tone
	Congestion  Tone
	CallWaiting Tone
}

// Tone levels: a progress tone's components peak at an eighth of full scale each
// (about -21 dBFS RMS per frequency); the call-waiting beep, played under a
// conversation, a sixteenth (-24 dBFS peak), as the engine always did.
const (
	progressAmplitude = 4096
	waitingAmplitude  = 2048
)

// on and off build cadence steps.
func on(ms int, freqs ...float64) Cadence { return Cadence{Freqs: freqs, Millis: ms} }
func off(ms int) Cadence                  { return Cadence{Millis: ms} }

func progress(steps ...Cadence) Tone { return Tone{Steps: steps, Amplitude: progressAmplitude} }
func waiting(steps ...Cadence) Tone  { return Tone{Steps: steps, Amplitude: waitingAmplitude} }

// TonePlans are the tone plans the engine knows, by name (the tonePlan setting).
var TonePlans = map[string]TonePlan{
	// North America: ANSI T1.401 and Telcordia GR-506 (the precise tone plan).
	"us": {
		Name:        "us",
		Dial:        progress(on(1000, 350, 440)),
		Ringback:    progress(on(2000, 440, 480), off(4000)),
		Busy:        progress(on(500, 480, 620), off(500)),
		Congestion:  progress(on(250, 480, 620), off(250)), // reorder
		CallWaiting: waiting(on(300, 440), off(9700)),
	},
	// United Kingdom: BT SIN 350.
	"uk": {
		Name:        "uk",
		Dial:        progress(on(1000, 350, 450)),
		Ringback:    progress(on(400, 400, 450), off(200), on(400, 400, 450), off(2000)),
		Busy:        progress(on(375, 400), off(375)),
		Congestion:  progress(on(400, 400), off(350), on(225, 400), off(525)),
		CallWaiting: waiting(on(100, 400), off(2500)),
	},
	// Europe: the ETSI/CEPT harmonised tones of ETSI ES 201 970 (ETSI TR 101 041-1),
	// 425 Hz throughout.
	"eu": {
		Name:        "eu",
		Dial:        progress(on(1000, 425)),
		Ringback:    progress(on(1000, 425), off(4000)),
		Busy:        progress(on(500, 425), off(500)),
		Congestion:  progress(on(250, 425), off(250)),
		CallWaiting: waiting(on(200, 425), off(200), on(200, 425), off(4400)),
	},
}

// DefaultTonePlan is the plan used when none is set.
const DefaultTonePlan = "us"

// TonePlanNames lists the plans' names, sorted, for messages and documentation.
func TonePlanNames() []string { return []string{"eu", "uk", "us"} }
