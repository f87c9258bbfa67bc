/**
 * Finds an order number the customer typed: `#1001`, `order 1001`, `order no. 1001`, `order number: 1001-A`.
 * Deliberately conservative (a bare number is not taken: it may be a phone or a zip code).
 */
const ORDER_NUMBER = /(?:#\s?|\border\s*(?:no\.?|number|num|nr|#|id)?\s*[:#]?\s*)(\d{3,12}(?:-[A-Za-z0-9]{1,4})?)\b/i

export const extractOrderNumber = (text: string): string | undefined => ORDER_NUMBER.exec(text)?.[1]
