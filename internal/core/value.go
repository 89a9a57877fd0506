package core

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// ValueString writes a parameter or foreach item value as a step sees it
// in its environment: numbers in their shortest form (a JSON-decoded
// integer is a float64 and prints without a fraction), booleans as
// true/false, strings as they are.
func ValueString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}
