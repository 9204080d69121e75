package phone

import "github.com/wpservice/wpservice/internal/api"

// maxPickupCode bounds the blfPickup setting.
const maxPickupCode = 16

// pickupCode checks a directed-pickup feature code: digits, * and #.
func pickupCode(s string) (string, error) {
	if len(s) > maxPickupCode {
		return "", api.BadArg("blfPickup", "at most 16 digits, * or #")
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '*' && r != '#' {
			return "", api.BadArg("blfPickup", "at most 16 digits, * or #")
		}
	}
	return s, nil
}
