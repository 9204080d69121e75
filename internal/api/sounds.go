package api

// Sounds and recordings: files the engine plays (audio.play, the ringtone) come from
// its sounds folder and calls it records go to its recordings folder. The page names
// a file only by its name inside the folder, never by a path, and is told names only.

// PlayArgs plays a WAV file of the sounds folder (audio.play): on the speaker, or
// with ToPeer into what a call sends (the call on Line, else the calls the user is
// connected to). One file plays at a time: a new one replaces it.
type PlayArgs struct {
	File   string `json:"file"`             // a file name in the sounds folder: no path
	Loop   bool   `json:"loop,omitempty"`   // start over at the end, until audio.stop
	ToPeer bool   `json:"toPeer,omitempty"` // into the call instead of the speaker
	Line   int    `json:"line,omitempty"`   // with ToPeer: the call on this line; 0 = the calls the user is in
}

// SoundList is what sounds.list answers: the WAV files of the sounds folder, sorted.
type SoundList struct {
	Files []string `json:"files"`
}

// PlayEvent is the audio.play event: a file started or ended (played to its end, or
// stopped by audio.stop, another file, or the end of its call).
type PlayEvent struct {
	File   string `json:"file"`
	State  string `json:"state"` // PlayStarted | PlayEnded
	ToPeer bool   `json:"toPeer,omitempty"`
	Line   int    `json:"line,omitempty"`
}

// PlayEvent states.
const (
	PlayStarted = "started"
	PlayEnded   = "ended"
)

// RecordArgs starts or stops the recording of a call (call.record).
type RecordArgs struct {
	CallRef
	Action string `json:"action"` // RecordStart | RecordStop
}

// call.record actions.
const (
	RecordStart = "start"
	RecordStop  = "stop"
)

// RecordResult names the recording's file in the recordings folder.
type RecordResult struct {
	File string `json:"file"`
}

// RecordingEvent is the call.recording event: a call's recording started or stopped.
// File is the file's name in the recordings folder, never a path.
type RecordingEvent struct {
	CallID string `json:"callId"`
	Line   int    `json:"line"`
	State  string `json:"state"` // RecordingStarted | RecordingStopped
	File   string `json:"file"`
}

// RecordingEvent states.
const (
	RecordingStarted = "started"
	RecordingStopped = "stopped"
)
