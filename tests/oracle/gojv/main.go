// gojv: the oracle of authz/authz_jv.c.  Go's encoding/json (the one
// dockerd is built with) decodes each input into interface{} with
// UseNumber, and this program prints the result in the canonical form of
// tests/unit/jv_canon.h, one line per input; tests/unit/jv_diff.c
// reads the same inputs with authz_jv and compares (tests/oracle/jv-check.sh).
//
// Standard library only; build with
//
//	GO111MODULE=off go build -o gojv tests/oracle/gojv/main.go
//
// Usage:
//
//	gojv -gen FILE...  write the inputs, framed (4-byte big-endian length,
//	                   then the bytes), to stdout: every body of the case
//	                   files (see caseBodies), then a generated set of
//	                   tricky inputs
//	gojv               read framed inputs on stdin, print one line each:
//	                     ok CANON       Go decodes it to CANON
//	                     refuse R,...   Go decodes it, but authz_jv must
//	                                    refuse it, for each reason R of
//	                                    dup (a key twice, exactly, in one
//	                                    object), nul (U+0000 in a string or
//	                                    key), depth (a value inside more
//	                                    than 64 containers)
//	                     error          Go refuses it
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"sort"
	"strings"
)

// depthMax is DW_JSON_DEPTH_MAX (common/dw_limits.h).
const depthMax = 64

func canonStr(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(b, "\\x%02x", c)
		}
	}
	b.WriteByte('"')
}

func canon(b *bytes.Buffer, v interface{}) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case json.Number:
		b.WriteString(string(x))
	case string:
		canonStr(b, x)
	case []interface{}:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := canon(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]interface{}:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			canonStr(b, k)
			b.WriteByte(':')
			if err := canon(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("unexpected %T", v)
	}
	return nil
}

// refusals walks the tokens of a document Go accepted and names what
// authz_jv refuses in it.
func refusals(in []byte) ([]string, error) {
	type frame struct {
		object  bool
		wantKey bool
		keys    map[string]bool
	}
	var stack []*frame
	dup, nul, deep := false, false, false
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	for {
		t, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := t.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].wantKey = true
			}
			continue
		}
		if top != nil && top.object && top.wantKey {
			k := t.(string)
			if top.keys[k] {
				dup = true
			}
			top.keys[k] = true
			if strings.IndexByte(k, 0) >= 0 {
				nul = true
			}
			top.wantKey = false
			continue
		}
		// A value, inside len(stack) containers.
		if len(stack) > depthMax {
			deep = true
		}
		if s, ok := t.(string); ok && strings.IndexByte(s, 0) >= 0 {
			nul = true
		}
		if d, ok := t.(json.Delim); ok {
			stack = append(stack, &frame{object: d == '{', wantKey: true,
				keys: map[string]bool{}})
			continue
		}
		if top != nil && top.object {
			top.wantKey = true
		}
	}
	var r []string
	if dup {
		r = append(r, "dup")
	}
	if nul {
		r = append(r, "nul")
	}
	if deep {
		r = append(r, "depth")
	}
	return r, nil
}

func answer(in []byte) string {
	if !json.Valid(in) {
		return "error"
	}
	var v interface{}
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "error"
	}
	r, err := refusals(in)
	if err != nil {
		return "oracle: Valid and Token disagree: " + err.Error()
	}
	if len(r) > 0 {
		return "refuse " + strings.Join(r, ",")
	}
	var b bytes.Buffer
	if err := canon(&b, v); err != nil {
		return "oracle: " + err.Error()
	}
	return "ok " + b.String()
}

func readFrame(r io.Reader) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	b := make([]byte, binary.BigEndian.Uint32(n[:]))
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

func writeFrame(w io.Writer, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	w.Write(n[:])
	w.Write(b)
}

// caseBodies: the bodies of a case file, wherever they are in it: each
// "body" (a string of UTF-8 text, or the JSON value itself, as in
// tests/data/explain/recorded) and each "raw" (code points that are
// bytes, an HTTP stream: what follows its headers, and from its first
// '{' to its last '}').
func caseBodies(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	var walk func(raw json.RawMessage, key string) error
	walk = func(raw json.RawMessage, key string) error {
		raw = bytes.TrimLeft(raw, " \t\r\n")
		if len(raw) == 0 {
			return nil
		}
		switch {
		case key == "raw" && raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			var r []byte
			for _, c := range s {
				r = append(r, byte(c))
			}
			if i := bytes.Index(r, []byte("\r\n\r\n")); i >= 0 {
				out = append(out, r[i+4:])
			}
			if i, j := bytes.IndexByte(r, '{'), bytes.LastIndexByte(r, '}'); i >= 0 && j > i {
				out = append(out, r[i:j+1])
			}
		case key == "body" && raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			out = append(out, []byte(s))
		case key == "body" && raw[0] != 'n':
			out = append(out, append([]byte(nil), raw...))
		case raw[0] == '{':
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				return err
			}
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if err := walk(m[k], k); err != nil {
					return err
				}
			}
		case raw[0] == '[':
			var l []json.RawMessage
			if err := json.Unmarshal(raw, &l); err != nil {
				return err
			}
			for _, e := range l {
				if err := walk(e, key); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(b, ""); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return out, nil
}

// Pieces the generator strings together: tokens, escapes of every kind,
// UTF-8 sequences valid and not, whitespace inside and out of the set.
var pieces = []string{
	"{", "}", "[", "]", ",", ":", "\"", "\\", " ", "\t", "\n", "\r", "\f", "\v",
	"\"a\"", "\"A\"", "\"k\"", "\"K\"", "\"\\u212a\"", "\"\u212a\"", "\"\u017f\"", "\"s\"",
	"true", "false", "null", "tru", "nul", "0", "-0", "1", "-", ".", "e", "E", "+",
	"01", "1.5", "1e5", "1E-5", "-0.0e+0", "123456789012345678901234567890",
	"\\u", "\\u0000", "\\u0041", "\\u00e9", "\\uD800", "\\udbff", "\\uDC00", "\\udfff",
	"\\uD83D\\uDE00", "\\uFFFD", "\\uFEFF", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
	"\\\"", "\\\\", "\\'", "\\x", "\\U", "\\0",
	"\x00", "\x01", "\x1f", "\x7f", "\x80", "\xbf", "\xc0", "\xc1", "\xc2", "\xdf",
	"\xe0", "\xed", "\xef", "\xf0", "\xf4", "\xf5", "\xf8", "\xfe", "\xff",
	"\xc3\xa9", "\xe2\x82\xac", "\xef\xbf\xbd", "\xf0\x9f\x98\x80", "\xed\xa0\x80",
	"\xed\x9f\xbf", "\xe0\x80\xaf", "\xe0\xa0\x80", "\xf0\x80\x80\xaf", "\xf4\x8f\xbf\xbf",
	"\xf4\x90\x80\x80", "\xc0\x80", "\xe2\x82", "\xf0\x9f\x98", "\xc2\xa0", "\xef\xbb\xbf",
}

// A random string body: escapes and raw bytes of every kind.
func genString(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteByte('"')
	for n := rng.Intn(6); n > 0; n-- {
		switch rng.Intn(5) {
		case 0:
			b.WriteString(pieces[rng.Intn(len(pieces))])
		case 1:
			fmt.Fprintf(&b, "\\u%04x", []int{0xd800, 0xdbff, 0xdc00, 0xdfff, 0x41,
				0xe9, 0x17f, 0x212a, 0xfffd, rng.Intn(0x10000)}[rng.Intn(10)])
		case 2:
			b.WriteByte(byte(rng.Intn(256)))
		default:
			b.WriteString([]string{"a", "b", "S", "k", "Binds", "binds", "\u017f",
				"\u212a", "\xff", "\xc3\xa9"}[rng.Intn(10)])
		}
	}
	b.WriteByte('"')
	return b.String()
}

// A random value: mostly well formed, keys that collide exactly or by fold.
func genValue(rng *rand.Rand, b *strings.Builder, depth int) {
	ws := func() {
		if rng.Intn(4) == 0 {
			b.WriteString([]string{" ", "\t", "\n", "\r", "  \r\n"}[rng.Intn(5)])
		}
	}
	ws()
	k := rng.Intn(10)
	if depth > 3 && k < 4 {
		k += 4
	}
	switch {
	case k < 2:
		b.WriteByte('[')
		for i, n := 0, rng.Intn(4); i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			genValue(rng, b, depth+1)
		}
		b.WriteByte(']')
	case k < 4:
		b.WriteByte('{')
		for i, n := 0, rng.Intn(4); i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			ws()
			if rng.Intn(3) == 0 {
				b.WriteString(genString(rng))
			} else {
				b.WriteString([]string{"\"a\"", "\"A\"", "\"\\u0061\"", "\"k\"",
					"\"\u212a\"", "\"s\"", "\"\u017f\"", "\"\xff\"", "\"\xfe\""}[rng.Intn(9)])
			}
			ws()
			b.WriteByte(':')
			genValue(rng, b, depth+1)
		}
		b.WriteByte('}')
	case k < 6:
		b.WriteString(genString(rng))
	case k < 8:
		b.WriteString([]string{"0", "-0", "1.5", "-12e+3", "1E-0", "0.000",
			"18446744073709551616", "01", "1.", ".5", "-", "1e", "+1"}[rng.Intn(13)])
	default:
		b.WriteString([]string{"true", "false", "null"}[rng.Intn(3)])
	}
	ws()
}

func nest(open, close string, n int, inner string) []byte {
	return []byte(strings.Repeat(open, n) + inner + strings.Repeat(close, n))
}

func generate(w io.Writer) {
	rng := rand.New(rand.NewSource(15))
	// Every piece alone, inside a string, as a key, after a value.
	for _, p := range pieces {
		writeFrame(w, []byte(p))
		writeFrame(w, []byte("\""+p+"\""))
		writeFrame(w, []byte("{\""+p+"\":1}"))
		writeFrame(w, []byte("[1"+p+"]"))
		writeFrame(w, []byte("{}"+p))
		writeFrame(w, []byte(p+"{}"))
	}
	// Every byte, raw in a string, after a backslash, and after every lead byte.
	for c := 0; c < 256; c++ {
		writeFrame(w, []byte{'"', byte(c), '"'})
		writeFrame(w, []byte{'"', '\\', byte(c), '"'})
		writeFrame(w, []byte{byte(c), '1'})
		for _, lead := range []byte{0xc2, 0xe0, 0xe1, 0xed, 0xf0, 0xf4} {
			writeFrame(w, []byte{'"', lead, byte(c), '"'})
			writeFrame(w, []byte{'"', lead, byte(c), 0x80, '"'})
			writeFrame(w, []byte{'"', lead, 0x90, byte(c), 0x80, '"'})
		}
	}
	// Every pair of surrogate-ish escapes.
	us := []string{"\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\u0041", "\\ud7ff",
		"\\ue000", "\\u0000", "\\u00", "A", "\\n", ""}
	for _, a := range us {
		for _, b := range us {
			for _, c := range us {
				writeFrame(w, []byte("\""+a+b+c+"\""))
			}
		}
	}
	// Depth around the limit, arrays and objects.
	for n := depthMax - 2; n <= depthMax+2; n++ {
		for _, inner := range []string{"", "0", "[]", "{}", "\"x\"", "{\"a\":1}"} {
			writeFrame(w, nest("[", "]", n, inner))
			writeFrame(w, nest("{\"a\":", "}", n, inner))
			writeFrame(w, nest("[{\"a\":", "}]", n/2, inner))
		}
	}
	writeFrame(w, nest("[", "]", 10001, ""))
	writeFrame(w, nest("[", "]", 20000, "0"))
	// Random documents, and each with a byte changed, dropped or doubled.
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		genValue(rng, &b, 0)
		doc := []byte(b.String())
		writeFrame(w, doc)
		if len(doc) > 0 {
			m := append([]byte(nil), doc...)
			j := rng.Intn(len(m))
			switch rng.Intn(3) {
			case 0:
				m[j] = []byte(pieces[rng.Intn(len(pieces))] + "x")[0]
			case 1:
				m = append(m[:j], m[j+1:]...)
			default:
				m = append(m[:j+1], m[j:]...)
			}
			writeFrame(w, m)
		}
	}
}

func main() {
	gen := flag.Bool("gen", false, "write the inputs (case files' bodies, then generated)")
	flag.Parse()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	if *gen {
		for _, path := range flag.Args() {
			bodies, err := caseBodies(path)
			if err != nil {
				fmt.Fprintln(os.Stderr, "gojv:", err)
				os.Exit(1)
			}
			for _, b := range bodies {
				writeFrame(out, b)
			}
		}
		generate(out)
		return
	}
	in := bufio.NewReader(os.Stdin)
	for {
		b, err := readFrame(in)
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gojv:", err)
			os.Exit(1)
		}
		fmt.Fprintln(out, answer(b))
	}
}
