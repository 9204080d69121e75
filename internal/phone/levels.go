package phone

import (
	"math"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// levelFrames is the window of one audio.level event: five 20 ms frames, so about ten
// events a second.
const levelFrames = 5

// levelFloor is the level reported for silence, in dBFS.
const levelFloor = -90

// levelMeters measure what the microphone sends after its volume (what the peer hears)
// and what the speaker plays, and close a window every levelFrames frames. They belong
// to the pump goroutine and never allocate.
type levelMeters struct {
	in, out audio.Meter
	frames  int
}

// endFrame closes one frame. When it completes a window it returns the window's
// levels and true, and starts the next window.
func (m *levelMeters) endFrame() (api.Levels, bool) {
	m.frames++
	if m.frames < levelFrames {
		return api.Levels{}, false
	}
	lv := api.Levels{Input: dbLevel(&m.in), Output: dbLevel(&m.out)}
	m.in.Reset()
	m.out.Reset()
	m.frames = 0
	return lv, true
}

// dbLevel rounds a meter's level to whole dB, no lower than levelFloor.
func dbLevel(m *audio.Meter) int {
	return max(levelFloor, int(math.Round(m.DBFS())))
}
