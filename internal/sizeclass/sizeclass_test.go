package sizeclass

import "testing"

func TestOf(t *testing.T) {
	tests := []struct{ n, min, want int }{
		{1, 4, 4}, {16, 4, 4}, {17, 4, 5}, {1000, 4, 10}, {1024, 4, 10},
		{1025, 9, 11}, {100, 9, 9}, {1 << 24, 9, 24}, {1<<24 + 1, 9, 25},
	}
	for _, tt := range tests {
		if got := Of(tt.n, tt.min); got != tt.want {
			t.Errorf("Of(%d, %d) = %d, want %d", tt.n, tt.min, got, tt.want)
		}
	}
}
