package main

import (
	"fmt"
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

// writeTone writes an 8 kHz mono WAV of a sine at hz lasting length.
func writeTone(path string, hz float64, length time.Duration) error {
	w, err := audio.CreateWAV(path, audio.SampleRate)
	if err != nil {
		return err
	}
	src := audio.NewToneSource(hz, toneAmplitude)
	frame := make([]int16, audio.FrameSamples)
	for range int(length / (audio.FrameMillis * time.Millisecond)) {
		if err := src.ReadFrame(frame); err != nil {
			w.Close()
			return err
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
