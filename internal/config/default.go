package config

// Default returns the default configuration, the one a config file's fields
// override. It is a Go literal rather than embedded JSON: decoding JSON at start
// would cost encoding/json's reflection over every config type (about a millisecond,
// docs/benchmarks.md) before the SIP port opens. Lists are empty rather than nil,
// as decoding "[]" made them.
func Default() Config {
	return Config{
		Control: Control{
			Port:            18620,
			FallbackPorts:   []int{18621, 18622, 18623},
			AllowedOrigins:  []string{},
			AdminOrigins:    []string{},
			ReadOnlyOrigins: []string{},
			Pairing:         true,
			FrameAncestors:  []string{},
			TLS: TLS{
				Port:          18630,
				FallbackPorts: []int{18631, 18632, 18633},
			},
			AdminSocket: "",
		},
		SIP: SIP{
			ListenIP:        "auto",
			UDP:             true,
			UDPPort:         0,
			TCPPort:         0,
			UserAgent:       "wpservice",
			KeepAlive:       25,
			STUNServer:      "",
			DNSServer:       "",
			OnNetworkChange: NetworkChangeMove,
			FollowRedirects: true,
			SessionExpires:  1800,
			MinSE:           90,
		},
		Audio: Audio{
			Backend:       "auto",
			Input:         "device",
			Output:        "device",
			InputFile:     "",
			OutputFile:    "",
			InputDevice:   "default",
			OutputDevice:  "default",
			SoundsDir:     "",
			RecordingsDir: "",
		},
		Settings: Settings{
			RTPTimeout:       30,
			AutoAnswer:       false,
			AutoHold:         true,
			DTMFDelayMS:      1000,
			MaxLines:         4,
			TransferIncoming: "accept",
			AEC:              "auto",
			Denoise:          "auto",
			AGC:              "auto",
			JitterMinMS:      40,
			JitterMaxMS:      240,
			Ptime:            20,
		},
		Log: Log{Level: "info"},
		Remote: Remote{
			Enabled:       false,
			Listen:        "",
			Hosts:         []string{},
			CacheDir:      "",
			Email:         "",
			HTTPChallenge: "",
			DirectoryURL:  "",
		},
	}
}
