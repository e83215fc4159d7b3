package userscsv_test

import (
	"fmt"
	"strings"

	"github.com/conflux-dev/conflux/pkg/userscsv"
)

func ExampleParse() {
	export := "\uFEFFUser id,User name,email,User status,Added to org,Org role,Last seen in Confluence - acme,Group id,Group name\r\n" +
		"5b10ac8d82e05b22cc7d4ef5,\"Doe, Jane\",jane@acme.com,Active,3 Jan 2024,,12 May 2024,g1,confluence-users\r\n" +
		"5b10ac8d82e05b22cc7d4ef5,\"Doe, Jane\",jane@acme.com,Active,3 Jan 2024,,12 May 2024,g2,eng\r\n" +
		"712020:0f0e,Sam,sam@acme.com,Suspended,1 Mar 2022,,Never accessed,g1,confluence-users\r\n" +
		"712020:1a2b,Bad \"row\",bad@acme.com,Active,1 Mar 2022,,Never accessed,g1,confluence-users\r\n"
	users, bad, err := userscsv.Parse(strings.NewReader(export))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range users {
		fmt.Println(u.AccountID, u.Email, u.Groups)
	}
	for _, b := range bad {
		fmt.Println(b)
	}
	// Output:
	// 5b10ac8d82e05b22cc7d4ef5 jane@acme.com [confluence-users eng]
	// line 5: malformed quoting: a quote inside unquoted field 2
}
