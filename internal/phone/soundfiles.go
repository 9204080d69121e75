package phone

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wpservice/wpservice/internal/api"
	"github.com/wpservice/wpservice/internal/audio"
)

// The sounds folder (Config.SoundsDir) holds the WAV files the engine plays: audio.play
// and the ringtone. A page names a file by its name alone: a name with a path
// separator, "." or "..", or one that is not a .wav is refused (invalid_args) before
// the disk is touched, and the file is opened through an os.Root of the folder, so a
// symbolic link that leads out of it is refused too (not_found).

// maxSoundName bounds a file name.
const maxSoundName = 255

// checkSoundName refuses a name that is not a plain .wav file name; field names the
// argument in the error.
func checkSoundName(field, name string) error {
	switch {
	case name == "" || len(name) > maxSoundName:
		return api.BadArg(field, fmt.Sprintf("a file name of 1..%d characters", maxSoundName))
	case strings.ContainsAny(name, `/\:`) || strings.ContainsRune(name, 0) || name == "." || name == ".." || !filepath.IsLocal(name):
		return api.BadArg(field, "a file name in the sounds folder, without a path")
	case !strings.EqualFold(filepath.Ext(name), ".wav"):
		return api.BadArg(field, "a .wav file")
	}
	return nil
}

// openSound reads the WAV file name of the sounds folder dir, decoded, downmixed and
// resampled to the engine's rate (audio.NewWAVSource).
func openSound(dir, field, name string, loop bool) (*audio.WAVSource, error) {
	if err := checkSoundName(field, name); err != nil {
		return nil, err
	}
	if dir == "" {
		return nil, fmt.Errorf("%w: no sounds folder is configured", ErrNoSound)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: the sounds folder cannot be opened", ErrNoSound)
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNoSound, name)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a file", ErrNoSound, name)
	}
	info, pcm, err := audio.ParseWAV(bufio.NewReader(f))
	if err != nil {
		return nil, api.BadArg(field, fmt.Sprintf("%s is not a 16-bit PCM WAV file", name))
	}
	return audio.NewWAVSource(info, pcm, loop), nil
}

// listSounds runs sounds.list: the .wav files of the sounds folder, by name.
func listSounds(dir string) (api.SoundList, error) {
	out := api.SoundList{Files: []string{}}
	if dir == "" {
		return out, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("%w: the sounds folder cannot be read", ErrNoSound)
	}
	for _, e := range entries {
		if checkSoundName("file", e.Name()) == nil && (e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0) {
			out.Files = append(out.Files, e.Name())
		}
	}
	slices.Sort(out.Files)
	return out, nil
}
