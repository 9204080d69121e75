package e2e

import (
	"fmt"
	"net/http"
	"time"
)

// otherUserDialEnv makes the test binary a client run as another user: it asks the
// engine for /health and prints what happened.
const otherUserDialEnv = "WPSERVICE_E2E_OTHER_USER_DIAL"

func dialAsOtherUser(addr string) int {
	client := http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{}}
	resp, err := client.Get("http://" + addr + "/health")
	if err != nil {
		fmt.Println("outcome=refused", err)
		return 0
	}
	resp.Body.Close()
	fmt.Println("outcome=served", resp.StatusCode)
	return 0
}
