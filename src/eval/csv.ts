/**
 * A small RFC 4180 CSV reader: quoted fields may hold commas, doubled quotes and line breaks (the bitext
 * `response` column is multi-line prose), records end at CRLF or LF outside quotes.
 */
export const parseCsv = (text: string): Array<Array<string>> => {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text // byte-order mark
  // One field and the separator after it; sticky, so every character is consumed exactly once (linear time).
  const FIELD = /(?:"((?:[^"]|"")*)"|([^",\r\n]*))(,|\r?\n|$)/y
  const records: Array<Array<string>> = []
  let record: Array<string> = []
  while (FIELD.lastIndex < body.length) {
    const at = FIELD.lastIndex
    const match = FIELD.exec(body)
    if (match === null || match[0].length === 0) {
      throw new Error(body[at] === "\"" ? "CSV: unterminated quoted field" : `CSV: unexpected quote at offset ${at}`)
    }
    record.push(match[1] !== undefined ? match[1].replace(/""/g, "\"") : match[2]!)
    if (match[3] !== ",") {
      records.push(record)
      record = []
    }
  }
  if (record.length > 0) records.push([...record, ""]) // the text ended right after a comma
  return records
}

/** Records as objects keyed by the header row; a record with the wrong number of fields is an error. */
export const parseCsvObjects = (text: string): Array<Record<string, string>> => {
  const [header, ...rows] = parseCsv(text)
  if (header === undefined) return []
  return rows.map((row, index) => {
    if (row.length !== header.length) throw new Error(`CSV: record ${index + 2} has ${row.length} fields, expected ${header.length}`)
    return Object.fromEntries(header.map((name, column) => [name, row[column]!]))
  })
}
