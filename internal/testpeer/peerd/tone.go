package main

import (
	"fmt"
	"math"
	"os"
	"time"

	"github.com/wpservice/wpservice/internal/audio"
)

// The frequencies analyseWAV scans: the telephone band, in 5 Hz steps.
const (
	scanMinHz  = 100
	scanMaxHz  = 3900
	scanStepHz = 5
)

// toneAmplitude is the source tone's peak, about a quarter of full scale.
const toneAmplitude = 8000

// toneReport describes a WAV segment.
type toneReport struct {
	Hz   float64 // the dominant frequency, 0 for silence
	RMS  float64 // in sample units, 0 to 32768
	DBFS float64 // the RMS level in dB relative to full scale
	Ms   int     // the segment's length
}

// toneRate is the rate of the tone files: 8 kHz, the rate baresip's aufile
// must find in a file it plays into a G.711 call.
const toneRate = 8000

// writeTone writes an 8 kHz mono WAV of a sine at hz lasting length.
func writeTone(path string, hz float64, length time.Duration) error {
	w, err := audio.CreateWAV(path, toneRate)
	if err != nil {
		return err
	}
	frame := make([]int16, toneRate*audio.FrameMillis/1000)
	n := 0
	for range int(length / (audio.FrameMillis * time.Millisecond)) {
		for i := range frame {
			frame[i] = int16(toneAmplitude * math.Sin(2*math.Pi*hz*float64(n)/toneRate))
			n++
		}
		if err := w.WriteFrame(frame); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}

// analyseWAV reports on the segment fromMs to toMs (0: the end) of the WAV
// at path, downmixed to mono at its own rate. A recording still being
// written is read as far as it goes.
func analyseWAV(path string, fromMs, toMs int) (toneReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return toneReport{}, err
	}
	defer f.Close()
	info, pcm, err := audio.ParseWAV(f)
	if err != nil {
		return toneReport{}, fmt.Errorf("%s: %w", path, err)
	}
	perMs := float64(info.SampleRate) / 1000
	from, to := int(float64(fromMs)*perMs), len(pcm)
	if toMs != 0 {
		to = min(to, int(float64(toMs)*perMs))
	}
	if from >= to {
		return toneReport{}, fmt.Errorf("%w: %d to %d ms of a %d ms file", errSegment, fromMs, toMs, int(float64(len(pcm))/perMs))
	}
	seg := pcm[from:to]
	return toneReport{
		Hz:   audio.DominantFrequency(seg, info.SampleRate, scanMinHz, scanMaxHz, scanStepHz),
		RMS:  audio.RMS(seg),
		DBFS: audio.DBFS(seg),
		Ms:   int(float64(len(seg)) / perMs),
	}, nil
}
