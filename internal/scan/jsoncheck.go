package scan

import (
	"bufio"
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
	c := jsonChecker{r: bufio.NewReaderSize(r, 64<<10)}
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

// jsonChecker reads JSON values from r one byte at a time.
type jsonChecker struct {
	r     *bufio.Reader
	off   int64 // bytes read
	depth int
}

// errJSON marks a JSON syntax error (as opposed to a read error).
var errJSON = errors.New("invalid JSON")

// syntax returns the error for byte b, just read, that the grammar does
// not allow: what was expected instead.
func (c *jsonChecker) syntax(b byte, expected string) error {
	return fmt.Errorf("%w near byte %d: %q where %s was expected", errJSON, c.off-1, b, expected)
}

// read returns the next byte; the end of the input inside a value is an
// error.
func (c *jsonChecker) read() (byte, error) {
	b, err := c.r.ReadByte()
	if err == io.EOF {
		return 0, fmt.Errorf("%w near byte %d: the input ends inside a value", errJSON, c.off)
	}
	if err != nil {
		return 0, err
	}
	c.off++
	return b, nil
}

// skipSpace returns the next byte that is not white space; io.EOF at the
// end of the input.
func (c *jsonChecker) skipSpace() (byte, error) {
	for {
		b, err := c.r.ReadByte()
		if err != nil {
			return 0, err
		}
		c.off++
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
			return b, nil
		}
	}
}

// nextSpace is skipSpace inside a value, where the end is an error.
func (c *jsonChecker) nextSpace() (byte, error) {
	b, err := c.skipSpace()
	if err == io.EOF {
		return 0, fmt.Errorf("%w near byte %d: the input ends inside a value", errJSON, c.off)
	}
	return b, err
}

// value checks the value that starts with b.
func (c *jsonChecker) value(b byte) error {
	switch {
	case b == '{' || b == '[':
		if c.depth++; c.depth > maxJSONDepth {
			return fmt.Errorf("JSON nested deeper than %d levels near byte %d: %w", maxJSONDepth, c.off-1, errLimit)
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
		c.r.ReadByte()
		c.off++
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
		c.r.ReadByte()
		c.off++
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
		b, err := c.peek()
		if err != nil || b < '0' || b > '9' {
			return b, err
		}
		c.r.ReadByte()
		c.off++
	}
}

// peek returns the next byte without reading it; 0 at the end of the
// input (which no JSON byte that continues a number is).
func (c *jsonChecker) peek() (byte, error) {
	p, err := c.r.Peek(1)
	if err == io.EOF {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return p[0], nil
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
