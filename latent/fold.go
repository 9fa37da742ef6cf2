package latent

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// FoldUpper returns s upper-cased the way Python's str.upper does it, with
// Unicode's full case mappings ("ß" becomes "SS", "ﬁ" becomes "FI"), so that
// case-insensitive word matching agrees with gensim, which compares
// str.upper() forms.
func FoldUpper(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToUpper(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if u, ok := fullUpper[r]; ok {
			b.WriteString(u)
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// isPySpace reports whether Python's str.split() splits on r: Unicode white
// space plus the ASCII information separators U+001C..U+001F.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}
