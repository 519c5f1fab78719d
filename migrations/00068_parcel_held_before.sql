-- +goose Up
-- parcel_held_before(parcel, day): the shares of a paper parcel held at the
-- close of the day before day (bought before it, not sold before it), in the
-- units of day — what entitles the holder to a dividend going ex on day.
-- A split or consolidation after day changes the parcel's share counts
-- (parcel_adjustments keeps the open quantity just before it), and disposals
-- are recorded in the units of their own day, so the count is taken from the
-- first adjustment after day when there is one (its old open quantity plus
-- the shares sold from day until that action), else from the parcel's open
-- quantity now plus the shares sold since day. NULL when the parcel was bought
-- on or after day.
-- +goose StatementBegin
CREATE FUNCTION parcel_held_before(parcel bigint, day date) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN x.old_quantity IS NOT NULL THEN
            x.old_quantity + coalesce((SELECT sum(d.quantity) FROM paper_disposals d
                                       WHERE d.parcel_id = p.id AND d.sold >= day AND d.sold < x.ex_date), 0)
        ELSE
            p.quantity + coalesce((SELECT sum(d.quantity) FROM paper_disposals d
                                   WHERE d.parcel_id = p.id AND d.sold >= day), 0)
    END
    FROM paper_parcels p
    LEFT JOIN LATERAL (SELECT pa.old_quantity, c.ex_date
                       FROM parcel_adjustments pa JOIN corporate_actions c ON c.id = pa.action_id
                       WHERE pa.parcel_id = p.id AND c.ex_date > day
                       ORDER BY c.ex_date, pa.id LIMIT 1) x ON true
    WHERE p.id = parcel AND p.acquired < day
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION parcel_held_before(bigint, date);
