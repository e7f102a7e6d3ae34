// gohttp: the framing oracle.  A real net/http.Server (the one dockerd is
// built on) reads one byte stream as a client connection, and this program
// prints, as JSON, the requests its handler was called with, in order, and
// how the connection ended (the error status Go answered, if any).  The
// gatekeeper's framing (api/api_http.c) must agree with it: see
// tests/data/framing/cases.json and tests/fuzz/fuzz_api_http.c.
//
// Standard library only; build with
//
//	GO111MODULE=off go build -o gohttp tests/oracle/gohttp
//
// Usage:
//
//	gohttp             one stream on stdin, one JSON answer on stdout
//	gohttp -frames     many: each input is a 4-byte big-endian length and
//	                   the bytes; each answer the same framing of the JSON
//	gohttp -record F   run every case of the case file F, write F with each
//	                   case's "go" answer filled in (to stdout)
//	gohttp -check F    run every case, exit 1 naming each case whose
//	                   answer differs from the recorded one
//	gohttp -json F     decode each body of a tests/data/gojson case file
//	                   into mirrors of dockerd's types (json.go)
//
// A case file is {"go": version, "cases": [{"name", "raw", "go"}]}.  Raw
// bytes are JSON strings whose code points are the bytes (U+0000..U+00FF),
// and so are the bodies in the answers.
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
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Request is what the handler was called with.
type Request struct {
	Method        string   `json:"method"`
	URI           string   `json:"uri"`
	Proto         string   `json:"proto"`
	Host          string   `json:"host"`
	ContentLength int64    `json:"content_length"`
	Chunked       bool     `json:"chunked"`
	Close         bool     `json:"close"`
	Body          string   `json:"body"`
	BodyError     string   `json:"body_error,omitempty"`
	Expect        string   `json:"expect,omitempty"`
	Upgrade       string   `json:"upgrade,omitempty"`
	Connection    []string `json:"connection,omitempty"`
}

// Answer is what Go did with one stream.
type Answer struct {
	Requests []Request `json:"requests"`
	// The status line and reason of the error answer Go sent before
	// closing ("400 Bad Request: ..."), or "eof" when it sent none.
	End string `json:"end"`
}

// Case is one entry of the case file.
type Case struct {
	Name string  `json:"name"`
	Why  string  `json:"why,omitempty"`
	Raw  string  `json:"raw"`
	Go   *Answer `json:"go,omitempty"`
}

// CaseFile is the whole case file.
type CaseFile struct {
	Comment string `json:"comment,omitempty"`
	Go      string `json:"go"`
	Cases   []Case `json:"cases"`
}

// latin1 maps bytes to a string whose code points are the bytes.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// unlatin1 is latin1's inverse; code points over U+00FF are an error.
func unlatin1(s string) ([]byte, error) {
	var b []byte
	for _, r := range s {
		if r > 0xff {
			return nil, fmt.Errorf("code point U+%04X is not a byte", r)
		}
		b = append(b, byte(r))
	}
	return b, nil
}

// conn is a client connection made of a byte stream: reads return the
// stream then EOF, writes are kept.
type conn struct {
	r      *bytes.Reader
	mu     sync.Mutex
	out    bytes.Buffer
	closed chan struct{}
	once   sync.Once
}

func (c *conn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.r.Read(p)
}

func (c *conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(p)
}

func (c *conn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return nil
}

type addr struct{}

func (addr) Network() string { return "unix" }
func (addr) String() string  { return "oracle" }

func (c *conn) LocalAddr() net.Addr                { return addr{} }
func (c *conn) RemoteAddr() net.Addr               { return addr{} }
func (c *conn) SetDeadline(t time.Time) error      { return nil }
func (c *conn) SetReadDeadline(t time.Time) error  { return nil }
func (c *conn) SetWriteDeadline(t time.Time) error { return nil }

// listener hands out one connection, then waits until it is closed.
type listener struct {
	c    net.Conn
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	used bool
}

func (l *listener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if !l.used {
		l.used = true
		l.mu.Unlock()
		return l.c, nil
	}
	l.mu.Unlock()
	<-l.done
	return nil, net.ErrClosed
}

func (l *listener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *listener) Addr() net.Addr { return addr{} }

// run serves one stream and says what Go made of it.
func run(raw []byte) Answer {
	var (
		mu   sync.Mutex
		reqs []Request
	)
	c := &conn{r: bytes.NewReader(raw), closed: make(chan struct{})}
	l := &listener{c: c, done: make(chan struct{})}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		q := Request{
			Method:        latin1([]byte(r.Method)),
			URI:           latin1([]byte(r.RequestURI)),
			Proto:         r.Proto,
			Host:          r.Host,
			ContentLength: r.ContentLength,
			Chunked:       len(r.TransferEncoding) > 0,
			Close:         r.Close,
			Body:          latin1(body),
			Expect:        r.Header.Get("Expect"),
			Upgrade:       r.Header.Get("Upgrade"),
			Connection:    r.Header["Connection"],
		}
		if err != nil {
			q.BodyError = err.Error()
		}
		mu.Lock()
		reqs = append(reqs, q)
		mu.Unlock()
		w.Header().Set("X-Oracle", "1")
		w.WriteHeader(http.StatusOK)
	})
	// Quiet: Go logs some requests (a ';' in a query) it still serves.
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	srv.SetKeepAlivesEnabled(true)
	go srv.Serve(l)
	select {
	case <-c.closed:
	case <-time.After(5 * time.Second):
		fmt.Fprintln(os.Stderr, "gohttp: the server did not close the connection")
	}
	l.Close()
	srv.Close()

	mu.Lock()
	a := Answer{Requests: reqs}
	mu.Unlock()
	if a.Requests == nil {
		a.Requests = []Request{}
	}
	c.mu.Lock()
	out := append([]byte(nil), c.out.Bytes()...)
	c.mu.Unlock()
	a.End = ending(out)
	return a
}

// ending reads the answers Go wrote: the handler's are 200 with X-Oracle;
// the last other one (an error Go answered itself) names the ending.
func ending(out []byte) string {
	br := bufio.NewReader(bytes.NewReader(out))
	last := ""
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			break
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 200 {
			continue
		}
		if resp.Header.Get("X-Oracle") == "1" {
			last = ""
			continue
		}
		msg := strings.TrimSpace(string(b))
		if msg == "" {
			msg = resp.Status
		}
		last = msg
		if !strings.HasPrefix(msg, fmt.Sprint(resp.StatusCode)) {
			last = resp.Status + ": " + msg
		}
	}
	if last != "" {
		return last
	}
	return "eof"
}

func readCases(path string) (*CaseFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f CaseFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &f, nil
}

func encode(v interface{}) []byte {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	e.SetIndent("", "\t")
	if err := e.Encode(v); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func main() {
	frames := flag.Bool("frames", false, "length-prefixed inputs and answers")
	record := flag.String("record", "", "case file to record")
	check := flag.String("check", "", "case file to check")
	jsonFile := flag.String("json", "", "gojson case file to decode")
	flag.Parse()

	switch {
	case *jsonFile != "":
		if err := jsonCases(*jsonFile); err != nil {
			fmt.Fprintln(os.Stderr, "gohttp:", err)
			os.Exit(2)
		}
	case *record != "" || *check != "":
		path := *record
		if path == "" {
			path = *check
		}
		f, err := readCases(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gohttp:", err)
			os.Exit(2)
		}
		bad := 0
		for i := range f.Cases {
			raw, err := unlatin1(f.Cases[i].Raw)
			if err != nil {
				fmt.Fprintf(os.Stderr, "gohttp: case %q: %v\n", f.Cases[i].Name, err)
				os.Exit(2)
			}
			a := run(raw)
			if *check != "" {
				if f.Cases[i].Go == nil || !bytes.Equal(encode(a), encode(*f.Cases[i].Go)) {
					fmt.Printf("case %q: Go %s answers\n%s\nrecorded:\n%s\n", f.Cases[i].Name,
						runtime.Version(), encode(a), encode(f.Cases[i].Go))
					bad++
				}
				continue
			}
			f.Cases[i].Go = &a
		}
		if *check != "" {
			fmt.Printf("%d cases, %d differ from the recording (Go %s, recorded with %s)\n",
				len(f.Cases), bad, runtime.Version(), f.Go)
			if bad > 0 {
				os.Exit(1)
			}
			return
		}
		f.Go = runtime.Version()
		os.Stdout.Write(encode(f))
	case *frames:
		in := bufio.NewReader(os.Stdin)
		out := bufio.NewWriter(os.Stdout)
		var hdr [4]byte
		for {
			if _, err := io.ReadFull(in, hdr[:]); err != nil {
				if errors.Is(err, io.EOF) {
					return
				}
				fmt.Fprintln(os.Stderr, "gohttp:", err)
				os.Exit(2)
			}
			raw := make([]byte, binary.BigEndian.Uint32(hdr[:]))
			if _, err := io.ReadFull(in, raw); err != nil {
				fmt.Fprintln(os.Stderr, "gohttp:", err)
				os.Exit(2)
			}
			j, _ := json.Marshal(run(raw))
			binary.BigEndian.PutUint32(hdr[:], uint32(len(j)))
			out.Write(hdr[:])
			out.Write(j)
			out.Flush()
		}
	default:
		raw, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gohttp:", err)
			os.Exit(2)
		}
		os.Stdout.Write(encode(run(raw)))
	}
}
