package suite

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"unicode/utf8"
)

// corpus is the data the compression cases send slices of. The original
// reads five files it ships; these are generated stand-ins of the same
// sizes and kinds (text or binary, how compressible), made from a fixed
// seed so that every run sends the same octets.
type corpus struct {
	key    string // the original's name for the data set
	desc   string // the original's description
	binary bool   // sent as binary messages, sliced by octets
	size   int    // octets
	gen    func(size int) []byte

	once sync.Once
	data []byte
	// runeStart holds, for text corpora, the offset of every code point
	// and then len(data): text is sliced by code points, as the original
	// slices its decoded text.
	runeStart []int
}

// load generates the data on first use.
func (c *corpus) load() {
	c.once.Do(func() {
		c.data = c.gen(c.size)
		if !c.binary {
			for i := range string(c.data) {
				c.runeStart = append(c.runeStart, i)
			}
			c.runeStart = append(c.runeStart, len(c.data))
		}
	})
}

// length is the corpus length in the unit slices are taken in.
func (c *corpus) length() int {
	c.load()
	if c.binary {
		return len(c.data)
	}
	return len(c.runeStart) - 1
}

// slice returns units [from, to) of the corpus, 0 <= from <= to <= length.
func (c *corpus) slice(from, to int) []byte {
	c.load()
	if c.binary {
		return c.data[from:to]
	}
	return c.data[c.runeStart[from]:c.runeStart[to]]
}

// corpora are the data sets in the original's order (12.1 to 12.5).
var corpora = []*corpus{
	{key: "json_data1", desc: "Large JSON data file", size: 194056, gen: genJSON},
	{key: "lena512", desc: "Lena Picture, Bitmap 512x512 bw", binary: true, size: 263222, gen: genBitmap},
	{key: "gutenberg_faust", desc: "Human readable text, Goethe's Faust I (German)", binary: true, size: 222218, gen: genVerse},
	{key: "html_data1", desc: "Large HTML file", size: 263647, gen: genHTML},
	{key: "ooms", desc: "A larger PDF", binary: true, size: 1042328, gen: genPDF},
}

// jsonCorpus is the data set of group 13.
var jsonCorpus = corpora[0]

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6a09e667f3bcc908)) }

// fitText cuts or pads text to exactly n octets of valid UTF-8.
func fitText(s string, n int) []byte {
	for len(s) < n {
		s += s
	}
	b := []byte(s[:n])
	// Blank out a code point cut in two at the end.
	for i := n - 1; i >= 0 && i > n-utf8.UTFMax && !utf8.Valid(b); i-- {
		b[i] = ' '
	}
	return b
}

// genJSON makes a report index like the one the original ships: agents,
// case ids and verdicts, pretty-printed. ASCII only.
func genJSON(n int) []byte {
	r := newRand(1)
	verdicts := []string{"OK", "OK", "OK", "NON-STRICT", "INFORMATIONAL", "FAILED"}
	var b strings.Builder
	b.WriteString("{\n")
	for agent := 0; b.Len() < n; agent++ {
		name := fmt.Sprintf("Agent%d/0.%d.%d", agent, r.IntN(10), r.IntN(20))
		fmt.Fprintf(&b, "   %q: {\n", name)
		for g := 1; g <= 13; g++ {
			for c := 1; c <= 20; c++ {
				id := fmt.Sprintf("%d.%d.%d", g, 1+c/8, 1+c%8)
				fmt.Fprintf(&b, "      %q: {\n         \"behavior\": %q,\n         \"behaviorClose\": \"OK\",\n         \"duration\": %d,\n         \"remoteCloseCode\": %d,\n         \"reportfile\": \"agent%d_case_%s.json\"\n      },\n",
					id, verdicts[r.IntN(len(verdicts))], r.IntN(200), 1000+r.IntN(12), agent, strings.ReplaceAll(id, ".", "_"))
			}
		}
		b.WriteString("   },\n")
	}
	return fitText(b.String(), n)
}

// germanWords make verse-like German text, umlauts included.
var germanWords = strings.Fields(`der die das und ich nicht zu ein es sich mit mir du ist so auf was wie
	mich den dem ihr sie er wir als auch noch nur im von ein uns dich hier da wohl mein sein Herz Geist
	Welt Nacht Leben Himmel Erde Gott Faust Mephistopheles Gretchen Wagner Teufel Schüler Hexe Liebe
	Natur Kraft Glück Träume Flamme Blüte Gefühl Ewigkeit Tag Zeit Weh schön süß kühn trüb hören
	sehen fühlen wissen möchte können müssen würde wär hätte über für während Schöpfung Märchen
	Mädchen Brüder Väter Gefäß Sträuße Bäume Höhle Tür Ärger Öde Übermut`)

// genVerse makes lines of verse, a byte order mark first as in the
// original's book file.
func genVerse(n int) []byte {
	r := newRand(2)
	var b strings.Builder
	b.WriteString("\ufeff")
	for b.Len() < n {
		if r.IntN(12) == 0 {
			speaker := []string{"FAUST", "MEPHISTOPHELES", "MARGARETE", "WAGNER", "CHOR"}[r.IntN(5)]
			b.WriteString("\r\n" + speaker + ":\r\n")
		}
		words := 4 + r.IntN(6)
		for w := range words {
			word := germanWords[r.IntN(len(germanWords))]
			if w == 0 {
				first, size := utf8.DecodeRuneInString(word)
				word = strings.ToUpper(string(first)) + word[size:]
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(word)
		}
		b.WriteString([]string{",", ".", "!", "?", ";", ""}[r.IntN(6)] + "\r\n")
	}
	return fitText(b.String(), n)
}

// genHTML makes a long report page: a style sheet and table rows, with a
// few non-ASCII characters.
func genHTML(n int) []byte {
	r := newRand(3)
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n   <head>\n      <meta charset=\"utf-8\" />\n      <style lang=\"css\">\n")
	for i := range 40 {
		fmt.Fprintf(&b, ".c%d {\n   background-color: #%06x;\n   padding: %dpx;\n   font-family: Segoe UI,Tahoma,Arial,Verdana,sans-serif;\n}\n\n", i, r.IntN(1<<24), r.IntN(10))
	}
	b.WriteString("      </style>\n   </head>\n   <body>\n      <table id=\"agent_case_results\">\n")
	classes := []string{"case_ok", "case_non_strict", "case_failed", "case_info"}
	texts := []string{"Pass", "Non-Strict", "Fail", "Info"}
	for row := 0; b.Len() < n; row++ {
		k := r.IntN(len(classes))
		fmt.Fprintf(&b, "         <tr class=\"agent_case_result_row\">\n            <td class=\"case\"><a href=\"#case_desc_%d\">Case %d.%d.%d</a></td>\n", row, 1+r.IntN(13), 1+r.IntN(9), 1+r.IntN(20))
		fmt.Fprintf(&b, "            <td class=\"%s\"><a href=\"agent_case_%d.html\">%s</a><br/><span class=\"case_duration\">%d ms</span></td>\n", classes[k], row, texts[k], r.IntN(500))
		if row%400 == 7 {
			b.WriteString("            <td class=\"note\">Gr\u00fc\u00dfe \u2014 \u00b5s</td>\n")
		}
		b.WriteString("         </tr>\n")
	}
	return fitText(b.String(), n)
}

// genBitmap makes a 512x512 8-bit grey Windows bitmap, with smooth shapes
// and noise like a photograph: 263222 octets, as the original's.
func genBitmap(size int) []byte {
	const w, h, offset = 512, 512, 14 + 40 + 256*4
	if size != offset+w*h {
		panic("suite: bitmap size")
	}
	b := make([]byte, 0, size)
	b = append(b, 'B', 'M')
	b = binary.LittleEndian.AppendUint32(b, uint32(size))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, offset)
	b = binary.LittleEndian.AppendUint32(b, 40) // BITMAPINFOHEADER
	b = binary.LittleEndian.AppendUint32(b, w)
	b = binary.LittleEndian.AppendUint32(b, h)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, 8)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, w*h)
	b = append(b, make([]byte, 16)...)
	for i := range 256 {
		b = append(b, byte(i), byte(i), byte(i), 0)
	}
	r := newRand(4)
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/w, float64(y)/h
			v := 128 + 60*math.Sin(6*fx+2*fy) + 40*math.Cos(9*fy*fx+1) + 20*math.Sin(25*fx)*math.Cos(17*fy)
			v += r.NormFloat64() * 6
			b = append(b, byte(min(max(v, 0), 255)))
		}
	}
	return b
}

// genPDF makes a PDF-like file: short text objects around long compressed
// (so nearly incompressible) streams.
func genPDF(n int) []byte {
	r := newRand(5)
	var b bytes.Buffer
	b.WriteString("%PDF-1.2\n%\xe2\xe3\xcf\xd3\n")
	for obj := 1; b.Len() < n; obj++ {
		stream := make([]byte, 2000+r.IntN(30000))
		for i := range stream {
			stream[i] = byte(r.Uint32())
		}
		fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", obj, len(stream))
		b.Write(stream)
		b.WriteString("\nendstream\nendobj\n")
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 %d 0 R >> >> /MediaBox [0 0 612 792] /Contents %d 0 R >>\nendobj\n", obj+1000, obj+2000, obj)
	}
	return b.Bytes()[:n]
}
