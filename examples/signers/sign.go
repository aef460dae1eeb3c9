// Command sign: woesid: sign a visitor's identity in a Go backend
// (golang-jwt, golang.org/x/text/cases, crypto/hmac).
//
//	go build -o sign . && ./sign SECRET WIDGET_KEY EMAIL NAME ACCOUNT_ID CONTACT_ID
//
// prints the token for a `jwt` widget, then the email_hash for an `hmac_email` one
// (go.mod beside it builds offline from Debian's packages).
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// JavaScript's trim() set: strings.TrimSpace would also trim U+0085 and keep U+FEFF.
const jsSpace = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" +
	"\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

// normalize is JavaScript's email.trim().toLowerCase().  strings.ToLower maps
// rune by rune (İ to i, not i̇; no final sigma): x/text/cases lowercases fully.
func normalize(email string) string {
	return cases.Lower(language.Und).String(strings.Trim(email, jsSpace))
}

type User struct{ Email, Name, AccountID, ID string }

func widgetIdentity(u User, secret, widgetKey string) (token, emailHash string, err error) {
	email := normalize(u.Email)
	now := time.Now().Unix()
	// jwt: the key is the secret string itself; at most 15 minutes of life
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"email": email, "name": u.Name,
		"account_external_id": u.AccountID, "contact_external_id": u.ID,
		"aud": widgetKey, "iat": now, "exp": now + 10*60,
	}).SignedString([]byte(secret))
	if err != nil {
		return "", "", err
	}
	// hmac_email: the key is the secret hex-decoded
	key, err := hex.DecodeString(secret)
	if err != nil {
		return "", "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(email))
	return token, hex.EncodeToString(mac.Sum(nil)), nil
}

func main() {
	if len(os.Args) != 7 {
		fmt.Fprintln(os.Stderr, "usage: sign SECRET WIDGET_KEY EMAIL NAME ACCOUNT_ID CONTACT_ID")
		os.Exit(2)
	}
	a := os.Args[1:]
	token, emailHash, err := widgetIdentity(User{a[2], a[3], a[4], a[5]}, a[0], a[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s\n%s\n", token, emailHash)
}
