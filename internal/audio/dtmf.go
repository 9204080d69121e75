package audio

// DTMF frequencies (ITU-T Q.23): each key sounds one row and one column tone.
var (
	dtmfRows = [4]float64{697, 770, 852, 941}
	dtmfCols = [4]float64{1209, 1336, 1477, 1633}
	dtmfKeys = [4]string{"123A", "456B", "789C", "*0#D"}
)

// DTMFFreqs returns the row and column frequencies of the DTMF key d (0-9, *, #,
// A-D), or ok false for any other byte.
func DTMFFreqs(d byte) (row, col float64, ok bool) {
	if d >= 'a' && d <= 'd' {
		d -= 'a' - 'A'
	}
	for r, keys := range dtmfKeys {
		for c := range len(keys) {
			if keys[c] == d {
				return dtmfRows[r], dtmfCols[c], true
			}
		}
	}
	return 0, 0, false
}

// DTMFTone is the local feedback of key d: its two frequencies for ms
// milliseconds, then silence. ok is false for a byte that is not a key.
func DTMFTone(d byte, ms int) (Tone, bool) {
	row, col, ok := DTMFFreqs(d)
	if !ok {
		return Tone{}, false
	}
	return Tone{Steps: []Cadence{on(ms, row, col)}, Amplitude: progressAmplitude}, true
}
