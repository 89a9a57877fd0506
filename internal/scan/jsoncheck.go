package scan

import (
	"errors"
	"fmt"
	"io"
)

// maxJSONDepth bounds the nesting of JSON values.
const maxJSONDepth = 10_000

// checkJSON reads every JSON value in r (one document or JSON lines, as
// encoding/json's Decoder reads a stream: values one after another,
// white space between them optional where the grammar allows) and
// reports the first error with its byte offset. Values are checked, not
// decoded: nothing is copied out, which makes it several times faster
// than walking encoding/json's tokens. Nesting deeper than maxJSONDepth
// is a limit (errLimit), not a verdict.
func checkJSON(r io.Reader) error {
	bp := getBuf(64 << 10)
	defer putBuf(bp)
	c := jsonChecker{r: r, store: *bp}
	return c.check()
}

// checkJSONBytes is checkJSON of the bytes of data.
func checkJSONBytes(data []byte) error {
	c := jsonChecker{buf: data, rerr: io.EOF}
	return c.check()
}

// check checks every value of the input.
func (c *jsonChecker) check() error {
	for {
		b, err := c.skipSpace()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := c.value(b); err != nil {
			return err
		}
	}
}

// jsonChecker reads JSON values from a window of the input: buf, refilled
// from r into store in large reads (or all of the input from the start).
type jsonChecker struct {
	r     io.Reader
	store []byte
	buf   []byte // the window; buf[pos:] is not read yet
	pos   int
	base  int64 // offset of buf[0] in the input
	rerr  error // what ends the input after buf: io.EOF or a read error
	depth int
}

// errJSON marks a JSON syntax error (as opposed to a read error).
var errJSON = errors.New("invalid JSON")

// off is the number of bytes read.
func (c *jsonChecker) off() int64 { return c.base + int64(c.pos) }

// fill reads the next window once the current one is read, and reports
// false at the end of the input (c.rerr then says why).
func (c *jsonChecker) fill() bool {
	if c.rerr != nil {
		return false
	}
	c.base += int64(len(c.buf))
	c.buf, c.pos = nil, 0
	for range 100 { // as bufio.Reader, which gives up on a reader that returns nothing
		n, err := c.r.Read(c.store)
		c.buf, c.rerr = c.store[:n], err
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	c.rerr = io.ErrNoProgress
	return false
}

// syntax returns the error for byte b, just read, that the grammar does
// not allow: what was expected instead.
func (c *jsonChecker) syntax(b byte, expected string) error {
	return fmt.Errorf("%w near byte %d: %q where %s was expected", errJSON, c.off()-1, b, expected)
}

// ended is the error for the end of the input inside a value.
func (c *jsonChecker) ended() error {
	if c.rerr == io.EOF {
		return fmt.Errorf("%w near byte %d: the input ends inside a value", errJSON, c.off())
	}
	return c.rerr
}

// read returns the next byte; the end of the input inside a value is an
// error.
func (c *jsonChecker) read() (byte, error) {
	if buf := c.buf[c.pos:]; len(buf) > 0 {
		c.pos++
		return buf[0], nil
	}
	return c.readMore()
}

// readMore is read at the end of the window.
func (c *jsonChecker) readMore() (byte, error) {
	if !c.fill() {
		return 0, c.ended()
	}
	c.pos++
	return c.buf[0], nil
}

// skipSpace returns the next byte that is not white space; io.EOF at the
// end of the input.
func (c *jsonChecker) skipSpace() (byte, error) {
	for {
		buf, pos := c.buf, c.pos
		for pos < len(buf) {
			b := buf[pos]
			pos++
			if b > ' ' || b != ' ' && b != '\n' && b != '\t' && b != '\r' {
				c.pos = pos
				return b, nil
			}
		}
		c.pos = pos
		if !c.fill() {
			return 0, c.rerr
		}
	}
}

// nextSpace is skipSpace inside a value, where the end is an error.
func (c *jsonChecker) nextSpace() (byte, error) {
	if buf := c.buf[c.pos:]; len(buf) > 0 && buf[0] > ' ' { // no white space
		c.pos++
		return buf[0], nil
	}
	return c.nextAfterSpace()
}

// nextAfterSpace is nextSpace where white space may come first.
func (c *jsonChecker) nextAfterSpace() (byte, error) {
	b, err := c.skipSpace()
	if err == io.EOF {
		return 0, c.ended()
	}
	return b, err
}

// value checks the value that starts with b.
func (c *jsonChecker) value(b byte) error {
	switch {
	case b == '{' || b == '[':
		if c.depth++; c.depth > maxJSONDepth {
			return fmt.Errorf("JSON nested deeper than %d levels near byte %d: %w", maxJSONDepth, c.off()-1, errLimit)
		}
		var err error
		if b == '{' {
			err = c.object()
		} else {
			err = c.array()
		}
		c.depth--
		return err
	case b == '"':
		return c.str()
	case b == '-' || b >= '0' && b <= '9':
		return c.number(b)
	case b == 't':
		return c.literal("rue")
	case b == 'f':
		return c.literal("alse")
	case b == 'n':
		return c.literal("ull")
	}
	return c.syntax(b, "a value")
}

// object checks an object's members after its '{'.
func (c *jsonChecker) object() error {
	b, err := c.nextSpace()
	if err != nil || b == '}' {
		return err
	}
	for {
		if b != '"' {
			return c.syntax(b, "a member name")
		}
		if err := c.str(); err != nil {
			return err
		}
		if b, err = c.nextSpace(); err != nil {
			return err
		}
		if b != ':' {
			return c.syntax(b, "':' after a member name")
		}
		if b, err = c.nextSpace(); err != nil {
			return err
		}
		if err := c.value(b); err != nil {
			return err
		}
		if b, err = c.nextSpace(); err != nil {
			return err
		}
		switch b {
		case '}':
			return nil
		case ',':
			if b, err = c.nextSpace(); err != nil {
				return err
			}
		default:
			return c.syntax(b, "',' or '}' after an object member")
		}
	}
}

// array checks an array's elements after its '['.
func (c *jsonChecker) array() error {
	b, err := c.nextSpace()
	if err != nil || b == ']' {
		return err
	}
	for {
		if err := c.value(b); err != nil {
			return err
		}
		if b, err = c.nextSpace(); err != nil {
			return err
		}
		switch b {
		case ']':
			return nil
		case ',':
			if b, err = c.nextSpace(); err != nil {
				return err
			}
		default:
			return c.syntax(b, "',' or ']' after an array element")
		}
	}
}

// str checks a string after its opening quote.
func (c *jsonChecker) str() error {
	for {
		buf, pos := c.buf, c.pos
		for pos < len(buf) && strText[buf[pos]] { // the common case: plain text
			pos++
		}
		c.pos = pos
		b, err := c.read()
		if err != nil {
			return err
		}
		switch {
		case b == '"':
			return nil
		case b < 0x20:
			return c.syntax(b, "text (a control character must be escaped)")
		case b == '\\':
			if b, err = c.read(); err != nil {
				return err
			}
			switch b {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					if b, err = c.read(); err != nil {
						return err
					}
					if !isHex(b) {
						return c.syntax(b, "a hexadecimal digit of a \\u escape")
					}
				}
			default:
				return c.syntax(b, "an escape character")
			}
		}
	}
}

// strText holds the bytes that stand for themselves inside a string.
var strText = func() (t [256]bool) {
	for b := 0x20; b < 256; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

func isHex(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

// number checks a number that starts with b. A number ends at the first
// byte that cannot continue it, which is left for what follows.
func (c *jsonChecker) number(b byte) error {
	var err error
	if b == '-' {
		if b, err = c.read(); err != nil {
			return err
		}
		if b < '0' || b > '9' {
			return c.syntax(b, "a digit after '-'")
		}
	}
	if b != '0' {
		if b, err = c.digits(); err != nil || b == 0 {
			return err
		}
	} else if b, err = c.peek(); err != nil || b == 0 {
		return err
	}
	if b == '.' {
		c.pos++
		if b, err = c.read(); err != nil {
			return err
		}
		if b < '0' || b > '9' {
			return c.syntax(b, "a digit after '.'")
		}
		if b, err = c.digits(); err != nil || b == 0 {
			return err
		}
	}
	if b == 'e' || b == 'E' {
		c.pos++
		if b, err = c.read(); err != nil {
			return err
		}
		if b == '+' || b == '-' {
			if b, err = c.read(); err != nil {
				return err
			}
		}
		if b < '0' || b > '9' {
			return c.syntax(b, "a digit of an exponent")
		}
		_, err = c.digits()
		return err
	}
	return nil
}

// digits reads digits and returns, unread, the byte after them (0 at the
// end of the input).
func (c *jsonChecker) digits() (byte, error) {
	for {
		buf, pos := c.buf, c.pos
		for pos < len(buf) && buf[pos]-'0' < 10 {
			pos++
		}
		if c.pos = pos; pos < len(buf) {
			return buf[pos], nil
		}
		if b, err := c.peek(); err != nil || b == 0 {
			return b, err
		}
	}
}

// peek returns the next byte without reading it; 0 at the end of the
// input (which no JSON byte that continues a number is).
func (c *jsonChecker) peek() (byte, error) {
	if c.pos == len(c.buf) && !c.fill() {
		if c.rerr == io.EOF {
			return 0, nil
		}
		return 0, c.rerr
	}
	return c.buf[c.pos], nil
}

// literal checks the rest of true, false or null.
func (c *jsonChecker) literal(rest string) error {
	for i := 0; i < len(rest); i++ {
		b, err := c.read()
		if err != nil {
			return err
		}
		if b != rest[i] {
			return c.syntax(b, fmt.Sprintf("%q", rest[i]))
		}
	}
	return nil
}
