package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestParseWAV(t *testing.T) {
	stereo := wavFile{rate: 16000, channels: 2, samples: []int16{100, 300, -100, -301, 32767, 32767}, dataSize: -1}
	listChunk := chunk("LIST", []byte("INFOISFT\x03\x00\x00\x00ab\x00")) // odd size, padded
	withList := mono(8000, []int16{5, 6, 7})
	withList.extra = [][]byte{listChunk}
	extensible := mono(44100, []int16{1, 2})
	extensible.extensible = true
	truncated := mono(8000, []int16{1, 2, 3})
	truncated.dataSize = 1000
	streaming := mono(8000, []int16{1, 2, 3})
	streaming.dataSize = 0xFFFFFFFF

	tests := []struct {
		name string
		file []byte
		info WAVInfo
		pcm  []int16
	}{
		{"mono 8 kHz", mono(8000, []int16{0, 1, -1, 32767, -32768}).bytes(), WAVInfo{8000, 1, 16, 5}, []int16{0, 1, -1, 32767, -32768}},
		{"stereo is averaged", stereo.bytes(), WAVInfo{16000, 2, 16, 3}, []int16{200, -200, 32767}},
		{"unknown odd-sized chunk is skipped", withList.bytes(), WAVInfo{8000, 1, 16, 3}, []int16{5, 6, 7}},
		{"WAVE_FORMAT_EXTENSIBLE", extensible.bytes(), WAVInfo{44100, 1, 16, 2}, []int16{1, 2}},
		{"data shorter than declared", truncated.bytes(), WAVInfo{8000, 1, 16, 3}, []int16{1, 2, 3}},
		{"streaming size", streaming.bytes(), WAVInfo{8000, 1, 16, 3}, []int16{1, 2, 3}},
		{"odd trailing byte is ignored", append(mono(8000, []int16{9}).bytes(), 0x7F), WAVInfo{8000, 1, 16, 1}, []int16{9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, pcm, err := ParseWAV(bytes.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if info != tt.info || !slices.Equal(pcm, tt.pcm) {
				t.Errorf("ParseWAV = %+v %v, want %+v %v", info, pcm, tt.info, tt.pcm)
			}
		})
	}
}

func TestParseWAVErrors(t *testing.T) {
	valid := mono(8000, []int16{1, 2}).bytes()
	float := mono(8000, []int16{1, 2})
	float.format = 3
	eightBit := mono(8000, []int16{1, 2})
	eightBit.bits = 8
	tooManyChannels := wavFile{rate: 8000, channels: 9, samples: make([]int16, 9), dataSize: -1}
	noChannels := wavFile{rate: 8000, channels: 0, dataSize: -1}
	tooSlow := mono(10, []int16{1})
	tooFast := mono(1_000_000, []int16{1})
	dataFirst := append([]byte("RIFF\x00\x00\x00\x00WAVE"), chunk("data", []byte{1, 0})...)
	shortFmt := append([]byte("RIFF\x00\x00\x00\x00WAVE"), chunk("fmt ", []byte{1, 0, 1, 0})...)
	hugeChunk := append([]byte("RIFF\x00\x00\x00\x00WAVE"), "JUNK\xff\xff\xff\x7f"...)

	tests := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrNotWAV},
		{"not RIFF", []byte("RIFX\x00\x00\x00\x00WAVEfmt "), ErrNotWAV},
		{"not WAVE", append([]byte("RIFF\x00\x00\x00\x00AVI "), valid[12:]...), ErrNotWAV},
		{"no chunks", valid[:12], ErrMalformedWAV},
		{"cut inside fmt", valid[:30], ErrMalformedWAV},
		{"fmt without data", valid[:36], ErrMalformedWAV},
		{"data before fmt", dataFirst, ErrMalformedWAV},
		{"short fmt", shortFmt, ErrMalformedWAV},
		{"chunk larger than the file", hugeChunk, ErrMalformedWAV},
		{"float samples", float.bytes(), ErrUnsupportedWAV},
		{"8-bit samples", eightBit.bytes(), ErrUnsupportedWAV},
		{"9 channels", tooManyChannels.bytes(), ErrUnsupportedWAV},
		{"0 channels", noChannels.bytes(), ErrUnsupportedWAV},
		{"10 Hz", tooSlow.bytes(), ErrUnsupportedWAV},
		{"1 MHz", tooFast.bytes(), ErrUnsupportedWAV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseWAV(bytes.NewReader(tt.file))
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseWAV error = %v, want %v", err, tt.want)
			}
		})
	}
}

// A header that claims gigabytes must not make the parser allocate them: the reader
// here holds 4 samples behind a 2 GiB data size.
func TestParseWAVDoesNotTrustSizes(t *testing.T) {
	f := mono(8000, []int16{1, 2, 3, 4})
	f.dataSize = 0x7FFFFFFF
	allocs := testing.AllocsPerRun(10, func() {
		if _, pcm, err := ParseWAV(bytes.NewReader(f.bytes())); err != nil || len(pcm) != 4 {
			t.Fatalf("ParseWAV = %v, %v", pcm, err)
		}
	})
	if allocs > 50 {
		t.Errorf("%.0f allocations", allocs)
	}
}

func TestParseWAVRejectsOversizedData(t *testing.T) {
	const limit = 1000
	tests := []struct {
		name     string
		declared int64 // -1: the real size
		samples  int
		wantErr  error
	}{
		{"at the limit", -1, limit / 2, nil},
		{"one sample over", -1, limit/2 + 1, ErrWAVTooLarge},
		{"streaming size, over", 0xFFFFFFFF, limit, ErrWAVTooLarge},
		{"declared huge, present small", 0x7FFFFFFF, 10, nil},
		{"declared huge, present huge", 0x7FFFFFFF, limit, ErrWAVTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mono(8000, make([]int16, tt.samples))
			f.dataSize = tt.declared
			_, pcm, err := parseWAV(bytes.NewReader(f.bytes()), limit)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if err == nil && len(pcm) != tt.samples {
				t.Errorf("%d samples, want %d", len(pcm), tt.samples)
			}
		})
	}
}

func TestWAVWriterRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.wav")
	w, err := CreateWAV(path, 8000)
	if err != nil {
		t.Fatal(err)
	}
	src := NewToneSource(1000, 12000)
	frame := make([]int16, FrameSamples)
	var want []int16
	for range 50 {
		if err := src.ReadFrame(frame); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFrame(frame); err != nil {
			t.Fatal(err)
		}
		want = append(want, frame...)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	info, pcm := readWAVFile(t, path)
	if info != (WAVInfo{8000, 1, 16, 50 * FrameSamples}) || !slices.Equal(pcm, want) {
		t.Fatalf("read back %+v and %d samples, want 8000 Hz mono, the %d samples written", info, len(pcm), len(want))
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if riff := binary.LittleEndian.Uint32(raw[4:8]); int(riff) != len(raw)-8 {
		t.Errorf("RIFF size %d, file is %d bytes", riff, len(raw))
	}
}

// A recording must be a valid WAV of everything written whenever it was last flushed,
// while the writer is still open.
func TestWAVWriterIsReadableAfterEachFlush(t *testing.T) {
	path := filepath.Join(t.TempDir(), "live.wav")
	w, err := CreateWAV(path, 16000)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if info, pcm := readWAVFile(t, path); info.Frames != 0 || len(pcm) != 0 || info.SampleRate != 16000 {
		t.Fatalf("fresh file: %+v, %d samples", info, len(pcm))
	}
	for i := 1; i <= 3; i++ {
		if err := w.WriteFrame(slices.Repeat([]int16{int16(i)}, 100)); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := binary.LittleEndian.Uint32(raw[40:44]); got != uint32(200*i) {
			t.Errorf("after flush %d: data size %d, want %d", i, got, 200*i)
		}
		info, pcm := readWAVFile(t, path)
		if info.Frames != 100*i || pcm[len(pcm)-1] != int16(i) {
			t.Errorf("after flush %d: %d frames ending in %d", i, info.Frames, pcm[len(pcm)-1])
		}
	}
	if w.Samples() != 300 {
		t.Errorf("Samples() = %d, want 300", w.Samples())
	}
}

func TestWAVWriterClosed(t *testing.T) {
	w, err := CreateWAV(filepath.Join(t.TempDir(), "c.wav"), 8000)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFrame(make([]int16, 160)); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteFrame after Close: %v", err)
	}
	if err := w.Flush(); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close: %v", err)
	}
	if err := w.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

func TestCreateWAVRejectsBadRate(t *testing.T) {
	for _, rate := range []int{0, -8000, 999, 400000} {
		if _, err := CreateWAV(filepath.Join(t.TempDir(), "x.wav"), rate); !errors.Is(err, ErrBadSampleRate) {
			t.Errorf("CreateWAV(rate %d): %v, want ErrBadSampleRate", rate, err)
		}
	}
}

func readWAVFile(t *testing.T, path string) (WAVInfo, []int16) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, pcm, err := ParseWAV(f)
	if err != nil {
		t.Fatalf("ParseWAV(%s): %v", path, err)
	}
	return info, pcm
}

func FuzzParseWAV(f *testing.F) {
	stereo := wavFile{rate: 44100, channels: 2, samples: []int16{1, 2, 3, 4}, dataSize: -1}
	ext := mono(48000, []int16{7, 8, 9})
	ext.extensible = true
	ext.extra = [][]byte{chunk("LIST", []byte("INFOx"))}
	short := mono(8000, []int16{1, 2, 3})
	short.dataSize = 0x7FFFFFFF
	f.Add(mono(8000, []int16{0, 100, -100}).bytes())
	f.Add(stereo.bytes())
	f.Add(ext.bytes())
	f.Add(short.bytes())
	f.Add([]byte("RIFF\x04\x00\x00\x00WAVE"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, pcm, err := ParseWAV(bytes.NewReader(data))
		if err != nil {
			if pcm != nil {
				t.Errorf("error %v with %d samples", err, len(pcm))
			}
			return
		}
		if len(pcm) != info.Frames || info.BitsPerSample != 16 ||
			info.Channels < 1 || info.Channels > maxWAVChannels ||
			info.SampleRate < MinWAVRate || info.SampleRate > MaxWAVRate {
			t.Errorf("accepted inconsistent file: %+v with %d samples", info, len(pcm))
		}
		if len(pcm)*2*info.Channels > len(data) {
			t.Errorf("%d samples from %d bytes", len(pcm), len(data))
		}
	})
}
