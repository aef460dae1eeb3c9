// The Go signer's module.  The replace lines build it offline from Debian's
// golang-github-golang-jwt-jwt-dev and golang-golang-x-text-dev; with the Go
// module proxy, drop them and run go mod tidy.
module example.com/woesid-signer

go 1.19

require (
	github.com/golang-jwt/jwt/v4 v4.4.3
	golang.org/x/text v0.7.0
)

replace (
	github.com/golang-jwt/jwt/v4 => /usr/share/gocode/src/github.com/golang-jwt/jwt
	golang.org/x/text => /usr/share/gocode/src/golang.org/x/text
)
