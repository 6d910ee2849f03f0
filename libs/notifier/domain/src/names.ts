/**
 * First and last name the way Zendesk splits a full name: "Dutch van der Linde" has the last name
 * "Linde"; written "van der Linde, Dutch" the last name is "van der Linde".
 */
export const splitName = (fullName: string): { firstName: string; lastName: string } => {
  const name = fullName.trim().replace(/\s+/g, ' ');
  const comma = name.indexOf(',');
  if (comma >= 0) {
    return { firstName: name.slice(comma + 1).trim(), lastName: name.slice(0, comma).trim() };
  }
  const words = name.split(' ');
  if (words.length < 2) return { firstName: name, lastName: '' };
  return { firstName: words[0], lastName: words[words.length - 1] };
};
