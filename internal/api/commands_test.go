package api

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
)

// The registry holds every declared command once, with a known permission, an
// argument struct or none, and a result; Commands lists exactly their names.
func TestDeclaredCommands(t *testing.T) {
	specs := Specs()
	if len(specs) != len(Commands) || len(specs) < 25 {
		t.Fatalf("%d specs, %d names in Commands", len(specs), len(Commands))
	}
	for i, s := range specs {
		if s.Name != Commands[i] {
			t.Errorf("Commands[%d] = %q, spec %q", i, Commands[i], s.Name)
		}
		if got, ok := Lookup(s.Name); !ok || got != s {
			t.Errorf("Lookup(%q) = %v %v", s.Name, got, ok)
		}
		if s.Result == nil {
			t.Errorf("%s has no result type", s.Name)
		}
		if s.Args != nil && s.Args.Kind() != reflect.Struct {
			t.Errorf("%s args %v", s.Name, s.Args)
		}
		if !slices.Contains([]string{"", PermRead, PermControl, PermAccount, PermAdmin}, s.Perm) {
			t.Errorf("%s permission %q", s.Name, s.Perm)
		}
	}
	if CmdCallDial.Args != reflect.TypeFor[DialArgs]() || CmdStatus.Args != nil || CmdCallHangup.Result != reflect.TypeFor[HangupResult]() {
		t.Error("declared types are not the ones in the declaration")
	}
}

func TestDeclaringTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a second declaration of call.dial did not panic")
		}
	}()
	declare[DialArgs, DialResult](CmdCallDial.Name, PermControl)
}

func TestDeclaringAnUnknownPermissionPanics(t *testing.T) {
	t.Cleanup(func() { delete(specs, "test.perm") })
	defer func() {
		if recover() == nil {
			t.Fatal("a declaration with permission \"root\" did not panic")
		}
	}()
	declare[NoArgs, Empty]("test.perm", "root")
}

func TestArgumentsRaiseThePermission(t *testing.T) {
	yes, target := true, "2001"
	tests := []struct {
		args PermRaiser
		want string
	}{
		{&SettingsArgs{}, ""},
		{&SettingsArgs{AutoAnswer: &yes}, PermAdmin},
		{&SettingsArgs{AutoAnswerHeaders: &yes}, PermAdmin},
		{&SettingsArgs{ForwardAlways: &target}, PermAdmin},
		{&SettingsArgs{ForwardOnBusy: &target}, PermAdmin},
		{&SettingsArgs{ForwardOnNoAnswer: &target}, PermAdmin},
		{&SettingsArgs{DND: &yes, BlockList: &target, RejectWhenBusy: &yes}, ""},
		{&SubscribeArgs{Levels: true}, ""},
		{&SubscribeArgs{Log: true}, PermControl},
		{&SubscribeArgs{SIPTrace: true}, PermControl},
	}
	for _, tc := range tests {
		if got := tc.args.RequiredPerm(); got != tc.want {
			t.Errorf("%#v: %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestSentinelMessageAndCondition(t *testing.T) {
	errNoCall := Sentinel("no such call", ErrNotFound)
	if errNoCall.Error() != "no such call" || !errors.Is(errNoCall, ErrNotFound) || errors.Is(errNoCall, ErrInvalidState) {
		t.Fatalf("sentinel %q", errNoCall)
	}
	var argErr *ArgError
	if err := BadArg("line", "1..4"); err.Error() != "line: 1..4" || !errors.As(err, &argErr) || argErr.Field != "line" {
		t.Fatalf("BadArg: %v", err)
	}
	if _, err := Handle(CmdStatus, func(context.Context, *NoArgs) (Snapshot, error) { return Snapshot{}, nil }).Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}
